"""JSON Schema of every event type, committed under ``schemas/``, plus an AsyncAPI
document of topics and messages. A test fails when the committed files drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shared.events  # noqa: F401  (registers every event type)
from shared.events.registry import EventRegistry, registry
from shared.topics import EVENT_TOPICS, TOPIC_OF_SERVICE, dlq


def event_schemas(events: EventRegistry = registry) -> dict[str, dict[str, Any]]:
    schemas = {}
    for model in events:
        schema = model.model_json_schema()
        schema["$id"] = model.schema_id()
        schema["title"] = model.type_string()
        schemas[f"{model.name}.v{model.version}.json"] = schema
    return schemas


def asyncapi_document(events: EventRegistry = registry) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in EVENT_TOPICS:
        channels[topic] = {"address": topic, "messages": {}}
        channels[dlq(topic)] = {
            "address": dlq(topic),
            "description": "Records that could not be read, with the reason in header dlq-reason.",
        }
    for model in events:
        key = model.type_string().replace(".", "_")
        messages[key] = {
            "name": model.type_string(),
            "contentType": "application/cloudevents+json",
            "payload": {"$ref": f"./{model.name}.v{model.version}.json"},
        }
        topic = TOPIC_OF_SERVICE[model.service()]
        channels[topic]["messages"][key] = {"$ref": f"#/components/messages/{key}"}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Jiangxi fair-enforcement campaign events · 行政执法不公专项治理事件",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (structured JSON mode); message key = aggregate id.",
        },
        "channels": channels,
        "components": {"messages": messages},
    }


def rendered(events: EventRegistry = registry) -> dict[str, str]:
    files = {
        name: json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        for name, schema in event_schemas(events).items()
    }
    files["asyncapi.json"] = (
        json.dumps(asyncapi_document(events), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )
    return files


def export(directory: Path) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    files = rendered()
    for stale in directory.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return sorted(files)


def drift(directory: Path) -> list[str]:
    """What differs between the committed files and the models (empty when in step)."""
    files = rendered()
    problems = []
    for name, text in files.items():
        path = directory / name
        if not path.exists():
            problems.append(f"missing {name}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"changed {name}")
    for path in directory.glob("*.json"):
        if path.name not in files:
            problems.append(f"stale {path.name}")
    return problems
