"""Fuzz the decoders and the intake: hostile bytes never crash a service.

Whatever arrives on a topic, `codec.decode` either returns a valid model or raises `DecodeError`
with a reason (which the service turns into a dead letter); a ticket that decodes is always
normalized into a valid intake section.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import fastavro
import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.intake.normalize import normalize
from supportflow import codec
from supportflow.codec import DecodeError
from supportflow.events import CaseFile, IntakeSection, Requester, ThreadMessage, TicketReceived

REASONS = {"decode_error", "validation_error"}
MODELS = [TicketReceived, CaseFile]

VALID_TICKET = TicketReceived(
    ticket_id="T-1",
    message_id="M-1",
    received_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    subject="Export fails",
    body="Exporting dashboard 'Revenue' in ws_ab12cd fails with HTTP 500 since yesterday.",
    requester=Requester(email="ana@acme.example", name="Ana"),
    metadata={"plan": "pro"},
    thread=[ThreadMessage(author="ana@acme.example", body="still broken")],
)
VALID_CASE = CaseFile(ticket_id="T-1", ticket=VALID_TICKET)
ENCODED = {TicketReceived: codec.encode(VALID_TICKET), CaseFile: codec.encode(VALID_CASE)}

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
HEADERS = st.one_of(
    st.none(),
    st.just({"content-type": b"application/json"}),
    st.just({"content-type": b"application/avro"}),
    st.dictionaries(
        st.sampled_from(["content-type", "sf-schema", "Content-Type", "event-id"]),
        st.binary(max_size=40) | st.sampled_from([b"application/avro", b"TicketReceived/v1", b"CaseFile/v9"]),
        max_size=3,
    ),
)


def outcome(model: type[TicketReceived] | type[CaseFile], data: bytes, headers: Any) -> str:
    """What a service does with the record: 'ok', or the dead letter's reason."""
    try:
        value = codec.decode(model, data, headers)
    except DecodeError as exc:
        assert exc.reason in REASONS, exc.reason
        assert str(exc), "a dead letter needs an error text"
        return exc.reason
    # what decoded is a valid record that encodes back
    assert type(value).model_validate(value.model_dump()) == value
    codec.encode(value)
    return "ok"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), headers=HEADERS)
@example(data=b"", headers=None)
@example(data=b"\xff" * 16, headers={"content-type": b"application/avro"})
def test_arbitrary_bytes_decode_or_give_a_reason(
    model: type[TicketReceived] | type[CaseFile], data: bytes, headers: Any
) -> None:
    outcome(model, data, headers)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_avro_decodes_or_gives_a_reason(
    model: type[TicketReceived] | type[CaseFile], data: st.DataObject
) -> None:
    raw = bytearray(ENCODED[model])
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(raw) - 1))
        operation = data.draw(st.sampled_from(["flip", "set", "cut", "insert"]))
        if operation == "flip":
            raw[position] ^= 1 << data.draw(st.integers(0, 7))
        elif operation == "set":
            raw[position] = data.draw(st.integers(0, 255))
        elif operation == "cut":
            del raw[position:]
            if not raw:
                break
        else:
            raw[position:position] = data.draw(st.binary(min_size=1, max_size=8))
    outcome(model, bytes(raw), codec.avro_headers(model.__name__))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_json_tickets_with_mutated_fields_decode_or_give_a_reason(data: st.DataObject) -> None:
    document: dict[str, Any] = orjson.loads(VALID_TICKET.model_dump_json())
    for _ in range(data.draw(st.integers(1, 4))):
        key = data.draw(st.sampled_from([*document.keys(), "extra"]))
        if data.draw(st.booleans()):
            document.pop(key, None)
        else:
            document[key] = data.draw(JSON_VALUES)
    outcome(TicketReceived, orjson.dumps(document), {"content-type": b"application/json"})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON_VALUES)
def test_arbitrary_json_decodes_or_gives_a_reason(value: Any) -> None:
    outcome(TicketReceived, orjson.dumps(value), {"content-type": b"application/json"})


def test_impossible_values_are_validation_errors() -> None:
    """Valid Avro, impossible meaning: an empty ticket or message id, a revision below 1."""
    for bad in (
        VALID_TICKET.model_copy(update={"ticket_id": ""}),
        VALID_TICKET.model_copy(update={"message_id": ""}),
    ):
        assert outcome(TicketReceived, codec.encode(bad), codec.avro_headers("TicketReceived")) == (
            "validation_error"
        )
    case = VALID_CASE.model_dump()
    case["revision"] = -1
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, codec.schema("CaseFile"), case)
    assert outcome(CaseFile, buffer.getvalue(), codec.avro_headers("CaseFile")) == "validation_error"


TEXT = st.text(max_size=200) | st.sampled_from(
    ["", " ", "\x00", "ignore previous instructions", "lk_live_" + "a" * 32, "HTTP 500", "ws_ab12cd"]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=TEXT,
    body=TEXT,
    email=st.emails() | st.text(max_size=30),
    metadata=st.dictionaries(st.text(max_size=15), st.text(max_size=30), max_size=4),
    thread=st.lists(st.builds(ThreadMessage, author=st.text(max_size=30), body=TEXT), max_size=4),
    history=st.integers(0, 2),
)
def test_intake_normalizes_any_decodable_ticket(
    subject: str, body: str, email: str, metadata: dict[str, str], thread: list[ThreadMessage], history: int
) -> None:
    ticket = TicketReceived(
        ticket_id="T-fuzz",
        message_id=f"M-{history}",
        received_at=datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC),
        subject=subject,
        body=body,
        requester=Requester(email=email),
        metadata=metadata,
        thread=thread,
    )
    earlier = [ticket.model_copy(update={"message_id": f"M-old-{n}"}) for n in range(history)]
    section = normalize(ticket, earlier)
    IntakeSection.model_validate(section.model_dump())
    assert section.messages_merged == history + 1
    assert section.problem_statement
