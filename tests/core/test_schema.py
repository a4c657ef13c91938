"""resources/report.schema.json describes Report.to_dict() exactly, and stays in step with report.py."""
from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import jsonschema
import pytest

from capture_app.core.platform import i18n
from capture_app.core.platform.resources import load_json
from capture_app.core.report import model

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture_module(name: str):
    spec = importlib.util.spec_from_file_location(f"fixtures_{name}", FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def schema() -> dict:
    return load_json("report.schema.json")


@pytest.fixture(scope="module")
def validator(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def errors(validator, data) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_a_fully_filled_report_validates(validator):
    report, _ = load_fixture_module("filled").filled_report(evil_names=False)
    assert errors(validator, report.to_dict()) == []


def test_a_fresh_report_validates(validator):
    assert errors(validator, model.Report.new(agent_timezone="Europe/Berlin").to_dict()) == []


@pytest.mark.parametrize("change, where", [
    (lambda d: d.update(extra="x"), "unknown top-level key"),
    (lambda d: d["description"].update(colour="red"), "unknown nested key"),
    (lambda d: d["description"].update(urgency="urgent"), "enum value"),
    (lambda d: d.update(id="not-a-uuid"), "uuid"),
    (lambda d: d.update(created_at="2026-11-27T10:00:00"), "timestamp without offset"),
    (lambda d: d["occurred"].update(at="gestern"), "not a timestamp"),
    (lambda d: d["evidence"][0].update(sha256="abc"), "hash"),
    (lambda d: d["evidence"][0].update(filename="../x.png"), "path in a file name"),
    (lambda d: d["evidence"][0].update(size=-1), "negative size"),
    (lambda d: d["evidence"][0].pop("kind"), "missing key"),
    (lambda d: d["system"]["values"].update(cpu=4), "non-string system value"),
    (lambda d: d.update(schema_version=2), "newer schema version"),
])
def test_the_schema_refuses_what_the_model_cannot_produce(validator, change, where):
    report, _ = load_fixture_module("filled").filled_report(evil_names=False)
    data = report.to_dict()
    change(data)
    assert errors(validator, data), where


# --- kept in sync with report.py ------------------------------------------------------------

def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def dataclass_nodes(schema: dict):
    """(dataclass, its schema node) for Report and everything nested in it."""
    yield model.Report, schema
    for field_name, cls in model._NESTED.items():
        yield cls, resolve(schema, schema["properties"][field_name])
    yield model.EvidenceItem, resolve(schema, schema["properties"]["evidence"]["items"])


def test_every_dataclass_field_is_in_the_schema_and_nothing_else(schema):
    for cls, node in dataclass_nodes(schema):
        names = [f.name for f in dataclasses.fields(cls)]
        assert sorted(node["properties"]) == sorted(names), cls.__name__
        assert sorted(node["required"]) == sorted(names), cls.__name__  # to_dict writes them all
        assert node["additionalProperties"] is False, cls.__name__


def test_every_object_in_the_schema_is_closed_or_a_declared_map(schema):
    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, path
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")
    walk(schema, "#")


def test_every_nested_dataclass_of_the_model_is_covered():
    nested = {f.name for f in dataclasses.fields(model.Report)
              if dataclasses.is_dataclass(f.default_factory() if callable(f.default_factory) else None)}
    assert nested == set(model._NESTED)


ENUMS = [
    (("triage", "category"), model.TRIAGE_CATEGORIES),
    (("description", "affected"), model.AFFECTED),
    (("description", "frequency"), model.FREQUENCIES),
    (("description", "affected_users"), model.AFFECTED_USERS),
    (("description", "urgency"), model.URGENCIES),
    (("advisor_environment", "device_type"), model.DEVICE_TYPES),
    (("customer_environment", "device_type"), model.DEVICE_TYPES),
    (("advisor_environment", "source"), model.ENVIRONMENT_SOURCES),
    (("occurred", "mode"), model.TIME_MODES),
    (("evidence", "kind"), model.EVIDENCE_KINDS),
    (("language",), tuple(i18n.LANGUAGES)),
]


@pytest.mark.parametrize("path, constant", ENUMS, ids=[".".join(p) for p, _ in ENUMS])
def test_enums_equal_the_model_constants(schema, path, constant):
    node = schema
    for part in path:
        node = resolve(schema, node)
        if node.get("type") == "array":
            node = resolve(schema, node["items"])
        node = node["properties"][part]
    values = resolve(schema, node)["enum"]
    # "" is allowed where the model's default is "not chosen yet".
    assert set(values) - {""} == set(constant)


def test_empty_is_allowed_exactly_where_the_model_starts_empty(schema):
    defaults = {"category": model.Triage().category, "affected": model.Description().affected,
                "frequency": model.Description().frequency,
                "affected_users": model.Description().affected_users,
                "urgency": model.Description().urgency,
                "device_type": model.Environment().device_type,
                "source": model.Environment().source, "mode": model.Occurrence().mode}
    enums = {}
    for _, node in dataclass_nodes(schema):
        for name, prop in node["properties"].items():
            if "enum" in resolve(schema, prop):
                enums[name] = resolve(schema, prop)["enum"]
    for name, default in defaults.items():
        assert default in enums[name], name


def test_schema_version_is_the_models(schema):
    assert schema["properties"]["schema_version"]["const"] == model.SCHEMA_VERSION
