from pathlib import Path

from shared import schema_export
from shared.events.registry import registry

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def test_committed_schemas_match_the_models() -> None:
    problems = schema_export.drift(SCHEMA_DIR)
    assert problems == [], (
        "committed schemas drifted from the event models; run `campaign schemas export`: "
        + ", ".join(problems)
    )


def test_every_event_type_has_a_schema_and_an_asyncapi_message() -> None:
    files = schema_export.rendered()
    document = schema_export.asyncapi_document()
    for model in registry:
        assert f"{model.name}.v{model.version}.json" in files
        key = model.type_string().replace(".", "_")
        assert key in document["components"]["messages"]


def test_drift_is_detected(tmp_path: Path) -> None:
    schema_export.export(tmp_path)
    assert schema_export.drift(tmp_path) == []
    victim = next(tmp_path.glob("intake.ProblemFound.v1.json"))
    victim.write_text(victim.read_text().replace("problem_id", "problemId"))
    (tmp_path / "old.Event.v1.json").write_text("{}")
    assert sorted(schema_export.drift(tmp_path)) == [
        "changed intake.ProblemFound.v1.json",
        "stale old.Event.v1.json",
    ]
