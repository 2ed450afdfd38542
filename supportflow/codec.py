"""Avro (and JSON) encoding of the wire records.

Contract: `encode` is pure and never blocks; `decode` raises `DecodeError` for anything it
cannot turn into a valid model (bad bytes, schema violations, unknown writer version), so a
caller can dead-letter the record with the reason. Parsed schemas are cached once per process.

Every Avro record travels with two headers: `content-type: application/avro` and
`sf-schema: <Record>/v<N>`. A reader decodes with the writer's version from `schemas/history/`
and resolves it to the current schema (Avro schema resolution, BACKWARD evolution).
Upstream producers may send JSON to `support.tickets.received` with
`content-type: application/json`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import fastavro
import orjson
from pydantic import BaseModel, ValidationError

from supportflow.events import (
    CaseFile,
    CaseResolved,
    DeadLetter,
    IncidentGroup,
    LearnedPath,
    Pattern,
    TicketReceived,
)

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
AVRO = "application/avro"
JSON = "application/json"

RECORDS: dict[str, type[BaseModel]] = {
    "TicketReceived": TicketReceived,
    "CaseFile": CaseFile,
    "CaseResolved": CaseResolved,
    "Pattern": Pattern,
    "LearnedPath": LearnedPath,
    "IncidentGroup": IncidentGroup,
    "DeadLetter": DeadLetter,
}
CURRENT_VERSION: dict[str, int] = {name: 1 for name in RECORDS} | {"CaseResolved": 3, "CaseFile": 3}

M = TypeVar("M", bound=BaseModel)
Headers = Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None


class DecodeError(ValueError):
    """The bytes are not a valid record of the expected type. `reason` names the family."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@cache
def schema(name: str, version: int | None = None) -> Any:
    """The parsed Avro schema of `name`: the current one, or a historical writer version."""
    path = SCHEMA_DIR / (f"{name}.avsc" if version is None else f"history/{name}.v{version}.avsc")
    return fastavro.parse_schema(json.loads(path.read_text(encoding="utf-8")))


def headers_dict(headers: Headers) -> dict[str, bytes]:
    if headers is None:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {str(k).lower(): (v if isinstance(v, bytes) else str(v).encode()) for k, v in items}


def avro_headers(name: str) -> dict[str, bytes]:
    return {"content-type": AVRO.encode(), "sf-schema": f"{name}/v{CURRENT_VERSION[name]}".encode()}


@cache
def _union_branches(name: str) -> tuple[tuple[str, str], ...]:
    """(field, record name) for each top-level field of `name` typed ["null", <record>], e.g.
    CaseFile's optional sections: a dict there can only be that record."""
    branches: list[tuple[str, str]] = []
    for field in schema(name)["fields"]:
        kind = field["type"]
        if isinstance(kind, list) and len(kind) == 2 and "null" in kind:
            other = kind[1] if kind[0] == "null" else kind[0]
            if isinstance(other, dict) and other.get("type") == "record":
                branches.append((field["name"], other["name"]))
    return tuple(branches)


@cache
def _resolves_to_itself(name: str, version: int) -> bool:
    """Whether writer version `version` of `name` is the current schema (no resolution needed)."""
    return bool(schema(name, version) == schema(name))


def encode(record: BaseModel) -> bytes:
    name = type(record).__name__
    datum = record.model_dump()
    for field, branch in _union_branches(name):
        # Name the union branch (fastavro's tuple notation): otherwise fastavro picks it by
        # validating the whole section against every branch before writing it. Same bytes.
        value = datum.get(field)
        if isinstance(value, dict):
            datum[field] = (branch, value)
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema(name), datum)
    return buffer.getvalue()


def decode(model: type[M], data: bytes | None, headers: Headers = None) -> M:
    """Decode Avro (default) or JSON (by content-type) into `model`; raise DecodeError."""
    if data is None:
        raise DecodeError("decode_error", "empty record (tombstone or null value)")
    meta = headers_dict(headers)
    content_type = meta.get("content-type", AVRO.encode()).decode(errors="replace").split(";")[0].strip()
    if content_type == JSON:
        try:
            raw = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise DecodeError("decode_error", f"invalid JSON: {exc}") from exc
    elif content_type == AVRO:
        raw = _read_avro(model.__name__, data, meta.get("sf-schema"))
    else:
        raise DecodeError("decode_error", f"unsupported content-type {content_type!r}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise DecodeError("validation_error", _short(exc)) from exc


def _read_avro(name: str, data: bytes, declared: bytes | None) -> Any:
    writer_version = CURRENT_VERSION[name]
    if declared:
        declared_name, _, version = declared.decode(errors="replace").partition("/v")
        if declared_name != name or not version.isdigit():
            raise DecodeError("decode_error", f"record declares schema {declared!r}, expected {name}")
        writer_version = int(version)
    try:
        writer = schema(name, writer_version)
    except FileNotFoundError as exc:
        raise DecodeError("decode_error", f"unknown schema version {name}/v{writer_version}") from exc
    # The usual writer is the current schema: read without resolution rather than have fastavro
    # compare the two parsed schemas on every record.
    reader = None if _resolves_to_itself(name, writer_version) else schema(name)
    buffer = io.BytesIO(data)
    try:
        value = fastavro.schemaless_reader(buffer, writer, reader)
    except Exception as exc:  # fastavro raises many types for corrupt input
        raise DecodeError("decode_error", f"invalid Avro for {name}: {type(exc).__name__}: {exc}") from exc
    if buffer.tell() != len(data):
        raise DecodeError("decode_error", f"{len(data) - buffer.tell()} trailing bytes after {name}")
    return value


def _short(exc: ValidationError) -> str:
    errors = exc.errors()[:3]
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors]
    more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return "; ".join(parts) + more


def to_json(record: BaseModel) -> str:
    return record.model_dump_json()
