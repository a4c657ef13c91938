"""The triage catalogue: request categories and example cases from Flexperto's support structure."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from capture_app.core.report import EVIDENCE_KINDS, TRIAGE_CATEGORIES
from capture_app.core.resources import load_toml

# Order in which the categories are offered: escalation last, because most requests can be
# answered without it.
CATEGORY_ORDER = ("first_level", "project_lead", "not_flexperto", "second_level")
FIELD_KINDS = ("text", "email", "yesno")
FALLBACK_CASE = "other_technical"


@dataclass(frozen=True)
class CaseField:
    id: str
    kind: str
    label: dict[str, str]


@dataclass(frozen=True)
class Case:
    id: str
    outcome: str
    title: dict[str, str]
    guidance: dict[str, str]
    requires_evidence: tuple[str, ...] = ()
    fields: tuple[CaseField, ...] = field(default_factory=tuple)

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["de"]

    def guidance_in(self, language: str) -> str:
        return self.guidance.get(language) or self.guidance["de"]


class Catalogue:
    def __init__(self, cases: list[Case]):
        self.cases = cases
        self._by_id = {case.id: case for case in cases}

    def get(self, case_id: str) -> Case | None:
        return self._by_id.get(case_id)

    def by_category(self, category: str) -> list[Case]:
        return [case for case in self.cases if case.outcome == category]


def _localised(raw: dict, stem: str) -> dict[str, str]:
    return {lang: raw[f"{stem}_{lang}"] for lang in ("de", "en") if raw.get(f"{stem}_{lang}")}


def parse_catalogue(data: dict) -> Catalogue:
    cases = []
    for raw in data.get("case", []):
        outcome = raw["outcome"]
        if outcome not in TRIAGE_CATEGORIES:
            raise ValueError(f"case {raw.get('id')!r}: unknown outcome {outcome!r}")
        evidence = tuple(raw.get("requires_evidence", ()))
        if not set(evidence) <= set(EVIDENCE_KINDS):
            raise ValueError(f"case {raw['id']!r}: unknown evidence kind in {evidence!r}")
        fields = []
        for raw_field in raw.get("field", []):
            if raw_field.get("kind", "text") not in FIELD_KINDS:
                raise ValueError(f"case {raw['id']!r}: unknown field kind {raw_field.get('kind')!r}")
            fields.append(CaseField(raw_field["id"], raw_field.get("kind", "text"),
                                    _localised(raw_field, "label")))
        cases.append(Case(raw["id"], outcome, _localised(raw, "title"), _localised(raw, "guidance"),
                          evidence, tuple(fields)))
    return Catalogue(cases)


@lru_cache(maxsize=1)
def builtin_catalogue() -> Catalogue:
    return parse_catalogue(load_toml("triage.toml"))
