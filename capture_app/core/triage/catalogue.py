"""The triage catalogue: request categories, cases and articles from Flexperto's support structure.

The built-in catalogue is ``resources/triage.toml`` with one article per file under
``resources/articles/``. An organisation may put its own ``triage.toml`` beside its
configuration file; it is merged over the built-in catalogue (see ``load_catalogue``). A broken
organisation file never stops triage: what cannot be read is left out, the built-in catalogue is
used for it, and each problem is reported with the file, the line where known, and the entry.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from capture_app.core.platform import i18n
from capture_app.core.platform.resources import load_toml, resource_path
from capture_app.core.report.model import EVIDENCE_KINDS, TRIAGE_CATEGORIES

# Order in which the categories are offered: escalation last, because most requests can be
# answered without it.
CATEGORY_ORDER = ("first_level", "project_lead", "not_flexperto", "second_level")
# The areas of the platform ("Wo auf der Plattform?"); a case can name the one it is about.
AREAS = ("login", "appointment_booking", "video_consultation", "screen_sharing", "cobrowsing",
         "whiteboard", "esignature", "document_exchange", "calendar", "email_notifications", "chat",
         "other")
FIELD_KINDS = ("text", "email", "yesno")
# Where "nothing fits" leads; it always exists and always goes to 2nd-level support.
FALLBACK_CASE = "other_technical"
LANGUAGES = ("de", "en")
ORGANISATION_FILE_NAME = "triage.toml"

BUILTIN = "builtin"
ORGANISATION = "organisation"

_ID = re.compile(r"[a-z0-9_]{1,64}")
# An organisation file is a short text; anything much larger is a mistake (or an attack).
MAX_FILE_BYTES = 1_000_000
MAX_TEXT = 20_000
MAX_KEYWORDS = 300


@dataclass(frozen=True)
class CaseField:
    id: str
    kind: str
    label: dict[str, str]


@dataclass(frozen=True)
class Article:
    """What the agent reads for a case, and for self-help cases a text for the end user.

    ``user`` texts are copied or e-mailed to the end user; they must never carry the support
    e-mail address (``core.triage_messages`` removes it if an edited article does).
    """

    id: str
    title: dict[str, str]
    agent: dict[str, str]
    user: dict[str, str] = field(default_factory=dict)
    user_subject: dict[str, str] = field(default_factory=dict)
    source: str = BUILTIN

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("de", "")

    def agent_in(self, language: str) -> str:
        return self.agent.get(language) or self.agent.get("de", "")

    def user_in(self, language: str) -> str:
        return self.user.get(language) or self.user.get("de", "")

    def user_subject_in(self, language: str) -> str:
        return self.user_subject.get(language) or self.user_subject.get("de", "") or self.title_in(language)


@dataclass(frozen=True)
class Case:
    id: str
    outcome: str
    title: dict[str, str]
    guidance: dict[str, str]
    requires_evidence: tuple[str, ...] = ()
    fields: tuple[CaseField, ...] = field(default_factory=tuple)
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    article: str = ""
    source: str = BUILTIN
    area: str = ""  # where on the platform the problem lies (one of AREAS), preset in Beschreibung

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["de"]

    def guidance_in(self, language: str) -> str:
        return self.guidance.get(language) or self.guidance.get("de", "")

    def all_keywords(self) -> tuple[str, ...]:
        return tuple(word for language in LANGUAGES for word in self.keywords.get(language, ()))


class Articles(Mapping[str, Article]):
    """Articles by id. Built-in ones are read from their files when first asked for: the wizard
    opens on the triage step, and only the article of the chosen case is needed then."""

    def __init__(self, files: Mapping[str, Path] | None = None, loaded: Mapping[str, Article] | None = None):
        self._files = dict(files or {})
        self._loaded = dict(loaded or {})

    def __getitem__(self, article_id: str) -> Article:
        if article_id not in self._loaded:
            path = self._files[article_id]  # KeyError for an unknown id, as a mapping should
            article = _strict(_parse_article, load_toml("articles", path.name), BUILTIN)
            if article.id != article_id:
                raise ValueError(f"triage catalogue: {path.name} holds article {article.id!r}")
            self._loaded[article_id] = article
        return self._loaded[article_id]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._files, *self._loaded]))

    def __len__(self) -> int:
        return len(set(self._files) | set(self._loaded))

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._files or article_id in self._loaded

    def with_articles(self, articles: Mapping[str, Article]) -> Articles:
        """A copy in which ``articles`` add to or replace these."""
        files = {key: path for key, path in self._files.items() if key not in articles}
        return Articles(files, {**self._loaded, **articles})


class Catalogue:
    def __init__(self, cases: list[Case], articles: Mapping[str, Article] | None = None):
        self.cases = cases
        self.articles = articles if isinstance(articles, Articles) else Articles(loaded=articles or {})
        self._by_id = {case.id: case for case in cases}

    def get(self, case_id: str) -> Case | None:
        return self._by_id.get(case_id)

    def by_category(self, category: str) -> list[Case]:
        return [case for case in self.cases if case.outcome == category]

    def article_for(self, case: Case | None) -> Article | None:
        return self.articles.get(case.article) if case and case.article else None

    @property
    def fallback(self) -> Case:
        return self._by_id[FALLBACK_CASE]


# --- Problems in an organisation file -------------------------------------------------------


@dataclass(frozen=True)
class TriageProblem:
    """Something wrong in the organisation's triage file; translated when shown."""

    key: str
    file: Path
    line: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str | None = None) -> str:
        where = (i18n.tr("triage.problem.where_line", language=language, file=self.file, line=self.line)
                 if self.line else i18n.tr("triage.problem.where_file", language=language, file=self.file))
        detail = i18n.tr(f"triage.problem.{self.key}", language=language, **self.params)
        return i18n.tr("triage.problem.message", language=language, where=where, detail=detail)

    def __str__(self) -> str:
        return self.message()


class _Invalid(Exception):
    def __init__(self, problem: str, /, **params: Any):
        super().__init__(problem)
        self.key = problem
        self.params = params


@dataclass
class CatalogueLoad:
    catalogue: Catalogue
    problems: list[TriageProblem]
    file: Path | None = None

    def messages(self, language: str | None = None) -> list[str]:
        return [problem.message(language) for problem in self.problems]


# --- Parsing --------------------------------------------------------------------------------


def _text(raw: dict[str, Any], key: str, entry: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise _Invalid("not_text", entry=entry, key=key)
    value = value.strip()
    if required and not value:
        raise _Invalid("missing", entry=entry, key=key)
    if len(value) > MAX_TEXT:
        raise _Invalid("too_long", entry=entry, key=key, max=MAX_TEXT)
    return value


def _localised(raw: dict[str, Any], stem: str, entry: str) -> dict[str, str]:
    texts = {lang: _text(raw, f"{stem}_{lang}", entry) for lang in LANGUAGES}
    return {lang: text for lang, text in texts.items() if text}


def _string_list(raw: dict[str, Any], key: str, entry: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Invalid("not_list", entry=entry, key=key)
    if len(value) > MAX_KEYWORDS:
        raise _Invalid("too_many", entry=entry, key=key, max=MAX_KEYWORDS)
    return tuple(item.strip() for item in value if item.strip() and len(item) <= 200)


def _entry_id(raw: Any, kind: str) -> str:
    if not isinstance(raw, dict):
        raise _Invalid("not_table", entry=kind)
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        raise _Invalid("bad_id", entry=kind, value=str(entry_id)[:40])
    return entry_id


def _parse_fields(raw: dict[str, Any], entry: str) -> tuple[CaseField, ...]:
    raw_fields = raw.get("field", [])
    if not isinstance(raw_fields, list):
        raise _Invalid("not_list", entry=entry, key="field")
    fields = []
    for raw_field in raw_fields:
        field_id = _entry_id(raw_field, entry)
        kind = raw_field.get("kind", "text")
        if kind not in FIELD_KINDS:
            raise _Invalid("bad_field_kind", entry=entry, value=str(kind)[:40],
                           allowed=", ".join(FIELD_KINDS))
        label = _localised(raw_field, "label", entry)
        if "de" not in label:
            raise _Invalid("missing", entry=entry, key=f"field {field_id}: label_de")
        fields.append(CaseField(field_id, kind, label))
    return tuple(fields)


def _parse_case(raw: Any, base: Case | None, source: str) -> Case:
    """A case from its table; with ``base`` only the keys the table sets change."""
    case_id = _entry_id(raw, "case")
    entry = case_id
    if base is None:
        outcome = raw.get("outcome")
        if "title_de" not in raw or not isinstance(raw.get("title_de"), str) or not raw["title_de"].strip():
            raise _Invalid("missing", entry=entry, key="title_de")
    else:
        outcome = raw.get("outcome", base.outcome)
    if outcome not in TRIAGE_CATEGORIES:
        raise _Invalid("bad_outcome", entry=entry, value=str(outcome)[:40],
                       allowed=", ".join(TRIAGE_CATEGORIES))
    title = {**(base.title if base else {}), **_localised(raw, "title", entry)}
    guidance = {**(base.guidance if base else {}), **_localised(raw, "guidance", entry)}
    keywords = {lang: (base.keywords.get(lang, ()) if base else ())
                + _string_list(raw, f"keywords_{lang}", entry) for lang in LANGUAGES}
    if "requires_evidence" in raw:
        evidence = _string_list(raw, "requires_evidence", entry)
        unknown = [kind for kind in evidence if kind not in EVIDENCE_KINDS]
        if unknown:
            raise _Invalid("bad_evidence", entry=entry, value=", ".join(unknown)[:80],
                           allowed=", ".join(EVIDENCE_KINDS))
    else:
        evidence = base.requires_evidence if base else ()
    fields = _parse_fields(raw, entry) if "field" in raw or base is None else base.fields
    article = _text(raw, "article", entry) if "article" in raw else (base.article if base else "")
    if base is None and not guidance and not article:
        raise _Invalid("missing", entry=entry, key="guidance_de")
    area = _text(raw, "area", entry) if "area" in raw else (base.area if base else "")
    if area and area not in AREAS:
        raise _Invalid("bad_area", entry=entry, value=area[:40], allowed=", ".join(AREAS))
    return Case(case_id, outcome, title, guidance, evidence, fields,
                {lang: words for lang, words in keywords.items() if words}, article, source, area)


def _parse_article(raw: Any, source: str) -> Article:
    article_id = _entry_id(raw, "article")
    agent = _localised(raw, "agent", article_id)
    if "de" not in agent:
        raise _Invalid("missing", entry=article_id, key="agent_de")
    title = _localised(raw, "title", article_id)
    if "de" not in title:
        raise _Invalid("missing", entry=article_id, key="title_de")
    return Article(article_id, title, agent, _localised(raw, "user", article_id),
                   _localised(raw, "user_subject", article_id), source)


def _strict(parse: Any, *args: Any) -> Any:
    """The built-in catalogue is part of the app: a mistake there is a bug, so fail loudly."""
    try:
        return parse(*args)
    except _Invalid as exc:
        raise ValueError(f"triage catalogue: {exc.key} {exc.params}") from None


def parse_catalogue(data: dict[str, Any], articles: Mapping[str, Article] | None = None) -> Catalogue:
    cases = [_strict(_parse_case, raw, None, BUILTIN) for raw in data.get("case", [])]
    inline = {}
    for raw in data.get("article", []):
        article = _strict(_parse_article, raw, BUILTIN)
        inline[article.id] = article
    base = articles if isinstance(articles, Articles) else Articles(loaded=articles or {})
    catalogue = Catalogue(cases, base.with_articles(inline))
    _check_complete(catalogue)
    return catalogue


def _check_complete(catalogue: Catalogue) -> None:
    ids = [case.id for case in catalogue.cases]
    if len(ids) != len(set(ids)):
        raise ValueError("triage catalogue: duplicate case id")
    fallback = catalogue.get(FALLBACK_CASE)
    if fallback is None or fallback.outcome != "second_level":
        raise ValueError(f"triage catalogue: {FALLBACK_CASE} must exist and go to second_level")
    for case in catalogue.cases:
        if case.article and case.article not in catalogue.articles:
            raise ValueError(f"triage catalogue: case {case.id} names unknown article {case.article}")


@lru_cache(maxsize=1)
def builtin_articles() -> Articles:
    """One file per article, ``resources/articles/<id>.toml``; read when first used."""
    return Articles({path.stem: path for path in sorted(resource_path("articles").glob("*.toml"))})


@lru_cache(maxsize=1)
def builtin_catalogue() -> Catalogue:
    return parse_catalogue(load_toml("triage.toml"), builtin_articles())


# --- The organisation's file ----------------------------------------------------------------


def organisation_file(system_config_file: Path | None = None) -> Path:
    """``triage.toml`` in the organisation's configuration folder, beside its ``config.toml``."""
    if system_config_file is None:
        from capture_app.core.platform.paths import system_config_location

        system_config_file = system_config_location()
    return Path(system_config_file).parent / ORGANISATION_FILE_NAME


_LINE = re.compile(r"\(at line (\d+)")


def _read_organisation_file(path: Path) -> tuple[dict[str, Any] | None, list[TriageProblem]]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [TriageProblem("file_too_large", path, None, {"max_kb": MAX_FILE_BYTES // 1000})]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [TriageProblem("unreadable", path, None, {"reason": exc.strerror or type(exc).__name__})]
    if raw.startswith(b"\xef\xbb\xbf"):  # Windows editors like a byte-order mark
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [TriageProblem("not_utf8", path, raw.count(b"\n", 0, exc.start) + 1)]
    from capture_app.core.platform.tomlcompat import (
        tomllib,  # only when an organisation file exists
    )

    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        found = _LINE.search(str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        detail = _LINE.split(str(exc))[0].strip().rstrip("(").strip()
        return None, [TriageProblem("syntax", path, line, {"detail": detail})]


def _entry_line(text_lines: list[str], kind: str, entry_id: str | None) -> int | None:
    """The line of ``id = "<entry_id>"`` after a ``[[kind]]`` header (tomllib gives no positions)."""
    if not entry_id:
        return None
    in_kind = False
    pattern = re.compile(rf"""\s*id\s*=\s*["']{re.escape(entry_id)}["']""")
    for number, line in enumerate(text_lines, 1):
        stripped = line.strip()
        if stripped.startswith("[["):
            in_kind = stripped.replace(" ", "") == f"[[{kind}]]"
        elif in_kind and pattern.match(line):
            return number
    return None


def merge_organisation(base: Catalogue, data: dict[str, Any], path: Path,
                       text: str = "") -> tuple[Catalogue, list[TriageProblem]]:
    """The built-in catalogue with the organisation's cases and articles merged over it."""
    problems: list[TriageProblem] = []
    lines = text.split("\n")
    articles: dict[str, Article] = {}

    def problem(exc: _Invalid, kind: str, raw: Any) -> None:
        entry_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        problems.append(TriageProblem(exc.key, path, _entry_line(lines, kind, entry_id), exc.params))

    known_tables = {"case", "article"}
    for key in data:
        if key not in known_tables:
            problems.append(TriageProblem("unknown_key", path, None, {"key": key}))
    for kind in known_tables:
        if kind in data and not isinstance(data[kind], list):
            problems.append(TriageProblem("not_list", path, None, {"entry": kind, "key": kind}))
    raw_articles = data.get("article", []) if isinstance(data.get("article"), list) else []
    raw_cases = data.get("case", []) if isinstance(data.get("case"), list) else []
    for raw in raw_articles:
        try:
            article = _parse_article(raw, ORGANISATION)
        except _Invalid as exc:
            problem(exc, "article", raw)
            continue
        articles[article.id] = article

    cases = {case.id: case for case in base.cases}
    order = [case.id for case in base.cases]
    seen: set[str] = set()
    for raw in raw_cases:
        try:
            case_id = _entry_id(raw, "case")
            if case_id in seen:
                raise _Invalid("duplicate", entry=case_id)
            seen.add(case_id)
            hidden = raw.get("hidden", False)
            if not isinstance(hidden, bool):
                raise _Invalid("not_bool", entry=case_id, key="hidden")
            if case_id == FALLBACK_CASE and (hidden or raw.get("outcome", "second_level") != "second_level"):
                raise _Invalid("fallback_fixed", entry=case_id)
            if hidden:
                if case_id in cases:
                    del cases[case_id]
                    order.remove(case_id)
                continue
            case = _parse_case(raw, cases.get(case_id), ORGANISATION)
            if case.article and case.article not in articles and case.article not in base.articles:
                raise _Invalid("unknown_article", entry=case_id, value=case.article)
        except _Invalid as exc:
            problem(exc, "case", raw)
            continue
        if case_id not in cases:
            order.append(case_id)
        cases[case_id] = case
    catalogue = Catalogue([cases[case_id] for case_id in order], base.articles.with_articles(articles))
    return catalogue, problems


def load_catalogue(path: Path | None = None) -> CatalogueLoad:
    """The catalogue in effect: built-in, with the organisation's file (if any) merged over it."""
    path = Path(path) if path is not None else organisation_file()
    base = builtin_catalogue()
    data, problems = _read_organisation_file(path)
    if data is None:
        return CatalogueLoad(base, problems, path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    catalogue, problems = merge_organisation(base, data, path, text)
    return CatalogueLoad(catalogue, problems, path)


_effective: dict[Path, tuple[tuple[Any, ...], CatalogueLoad]] = {}


def effective_catalogue(path: Path | None = None) -> CatalogueLoad:
    """``load_catalogue``, read again only when the organisation's file changed."""
    path = Path(path) if path is not None else organisation_file()
    try:
        stat = os.stat(path)
        stamp: tuple[Any, ...] = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = ()
    cached = _effective.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_catalogue(path))
        _effective[path] = cached
    return cached[1]
