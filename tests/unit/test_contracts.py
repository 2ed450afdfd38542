"""Every wire model mirrors its Avro schema, round-trips through it, and evolves BACKWARD."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime
from typing import Any

import fastavro
import pytest
from pydantic import BaseModel

from supportflow import codec
from supportflow.events import (
    CaseFile,
    CaseResolved,
    Claim,
    DeadLetter,
    Decision,
    Draft,
    Environment,
    ErrorSignature,
    Evidence,
    Hypothesis,
    IncidentGroup,
    IntakeSection,
    InvestigationSection,
    LearnedPath,
    LearnedPathUse,
    Pattern,
    Requester,
    Route,
    SettlingEvidence,
    StageTiming,
    ThreadMessage,
    TicketReceived,
)

NOW = datetime(2026, 11, 2, 12, 30, 15, 123456, tzinfo=UTC)


def full_ticket() -> TicketReceived:
    return TicketReceived(
        ticket_id="T-1",
        message_id="m-1",
        received_at=NOW,
        channel="web",
        subject="Exports fail",
        body="Since yesterday every CSV export fails with PLAN_LIMIT_REACHED.",
        requester=Requester(email="ana@acme.example", name="Ana"),
        metadata={"plan": "team"},
        thread=[ThreadMessage(author="ana@acme.example", sent_at=NOW, body="earlier note")],
    )


def full_case() -> CaseFile:
    evidence = Evidence(
        evidence_id="ev-1",
        source="account",
        check="account.plan_limits",
        query={"account_id": "acc_abc123"},
        window_start=NOW,
        window_end=NOW,
        observed="20 of 20 exports used today",
        verdict="supports",
        hypothesis_id="h-plan",
        customer_safe=True,
        latency_s=0.004,
        facts={"max": "20"},
    )
    return CaseFile(
        ticket_id="T-1",
        revision=2,
        ticket=full_ticket(),
        intake=IntakeSection(
            requester_email="ana@acme.example",
            identifiers={"account_id": "acc_abc123"},
            environment=Environment(surface="ui", browser="Firefox 120", os="Linux"),
            action="export a CSV",
            expected="a file",
            actual="an error",
            window_start=NOW,
            window_end=NOW,
            error_signatures=[ErrorSignature(kind="error_code", value="PLAN_LIMIT_REACHED")],
            problem_statement="Ana cannot export CSVs since yesterday.",
            missing=["workspace_id"],
            questions=["Which workspace?"],
        ),
        investigation=InvestigationSection(
            identity_status="verified",
            account_id="acc_abc123",
            hypotheses=[
                Hypothesis(
                    hypothesis_id="h-plan",
                    title="limit",
                    decision_class="expected_behavior",
                    cause="plan_limit",
                    verdict="confirmed",
                    prior=0.3,
                    evidence_ids=["ev-1"],
                )
            ],
            evidence=[evidence],
            checks_possible=6,
            first_evidence_s=0.01,
            learned_path=LearnedPathUse(
                path_id="lp-1",
                cause="plan_limit",
                decision_class="expected_behavior",
                route_queue="l1-explain",
                cases=["T-0"],
                answer="Hello {requester_name}",
                evidence_ids=["ev-1"],
            ),
        ),
        decision=Decision(
            decision_class="expected_behavior",
            cause="plan_limit",
            confidence=0.9,
            rationale="ev-1 shows the limit",
            cited_evidence=["ev-1"],
            route=Route(queue="l1-explain", team="support"),
        ),
        draft=Draft(customer_reply="Hello", claims=[Claim(text="20 of 20", evidence_ids=["ev-1"])]),
        trail=[StageTiming(stage="intake", event_id="T-1:2:intake", started_at=NOW, finished_at=NOW)],
    )


SETTLING = SettlingEvidence(
    check="account.plan_limits",
    source="account",
    verdict="supports",
    observed="20 of 20 exports used today",
    params={"limit": '"plan"'},
)

EXAMPLES: list[BaseModel] = [
    full_ticket(),
    full_case(),
    CaseFile(ticket_id="T-2", ticket=full_ticket()),
    CaseResolved(ticket_id="T-1", resolved_at=NOW, final_class="incident", final_reply="ok", reopened=True),
    CaseResolved(
        ticket_id="T-1",
        resolved_at=NOW,
        final_class="expected_behavior",
        final_reply="Hello again",
        draft_edited=True,
        event_id="T-1:2:console:final",
        action="edit_approve",
        case_revision=2,
        edit_distance=0.3,
        reviewed_by="ana",
        team="support",
        settled_by=[SETTLING],
    ),
    LearnedPath(
        path_id="lp-1",
        signature="export limit",
        problem_type="exports",
        features={"code": "PLAN_LIMIT_REACHED"},
        decision_class="expected_behavior",
        cause="plan_limit",
        title="A plan limit was reached",
        route_queue="l1-explain",
        checks=[SETTLING],
        answer="Hello",
        support=2,
        ticket_ids=["T-0", "T-1"],
        updated_at=NOW,
    ),
    Pattern(
        pattern_id="p-1",
        signature="export limit",
        decision_class="expected_behavior",
        updated_at=NOW,
        checks=["account.plan_limits"],
    ),
    IncidentGroup(
        incident_id="grp-1",
        known_incident_id="INC-7",
        signature="dashboards/unavailable",
        size=2,
        grouped=True,
        first_ticket_id="T-1",
        ticket_ids=["T-1", "T-2"],
        account_ids=["acc_a", "acc_b"],
        first_seen=NOW,
        last_seen=NOW,
        updated_at=NOW,
    ),
    DeadLetter(
        service="intake",
        origin_topic="t",
        origin_partition=0,
        origin_offset=5,
        key=b"k",
        reason="decode_error",
        error="bad",
        original=b"\x00\x01",
        failed_at=NOW,
    ),
]


def schema_json(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((codec.SCHEMA_DIR / f"{name}.avsc").read_text())
    return loaded


def model_fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize("record", EXAMPLES, ids=lambda r: type(r).__name__)
def test_every_model_round_trips_through_its_schema(record: BaseModel) -> None:
    data = codec.encode(record)
    back = codec.decode(type(record), data, codec.avro_headers(type(record).__name__))
    assert back == record


@pytest.mark.parametrize("name", list(codec.RECORDS))
def test_schema_fields_mirror_the_model(name: str) -> None:
    def walk(schema: dict[str, Any], model: type[BaseModel]) -> None:
        assert {f["name"] for f in schema["fields"]} == model_fields(model), schema["name"]

    walk(schema_json(name), codec.RECORDS[name])


def test_json_tickets_are_accepted_by_content_type() -> None:
    ticket = full_ticket()
    decoded = codec.decode(
        TicketReceived, ticket.model_dump_json().encode(), {"content-type": b"application/json"}
    )
    assert decoded == ticket


@pytest.mark.parametrize(
    ("data", "headers", "reason"),
    [
        (b"\xff\xfe\xfd", None, "decode_error"),
        (b"{not json", {"content-type": b"application/json"}, "decode_error"),
        (b'{"ticket_id": 5}', {"content-type": b"application/json"}, "validation_error"),
        (None, None, "decode_error"),
        (b"abc", {"content-type": b"text/xml"}, "decode_error"),
    ],
)
def test_bad_input_raises_a_decode_error_with_a_reason(data: bytes | None, headers: Any, reason: str) -> None:
    with pytest.raises(codec.DecodeError) as caught:
        codec.decode(TicketReceived, data, headers)
    assert caught.value.reason == reason


def test_trailing_garbage_after_a_valid_record_is_rejected() -> None:
    data = codec.encode(full_ticket()) + b"junk"
    with pytest.raises(codec.DecodeError):
        codec.decode(TicketReceived, data)


@pytest.mark.parametrize("name", list(codec.RECORDS))
def test_current_schema_reads_every_historical_version(name: str) -> None:
    """BACKWARD: data written with any released schema version decodes with the current one."""
    history = sorted((codec.SCHEMA_DIR / "history").glob(f"{name}.v*.avsc"))
    assert history, f"no released version of {name} kept in schemas/history"
    example = next(r for r in EXAMPLES if type(r).__name__ == name)
    for path in history:
        version = int(path.stem.rsplit(".v", 1)[1])
        writer = codec.schema(name, version)
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, writer, example.model_dump())
        headers = {"content-type": b"application/avro", "sf-schema": f"{name}/v{version}".encode()}
        decoded = codec.decode(type(example), buffer.getvalue(), headers)
        assert decoded.model_dump().keys() == example.model_dump().keys()


def _without_defaulted_fields(schema: Any) -> Any:
    """The oldest schema the evolution rule allows: every field with a default removed."""
    if isinstance(schema, dict):
        result = {k: _without_defaulted_fields(v) for k, v in schema.items()}
        if schema.get("type") == "record":
            result["fields"] = [_without_defaulted_fields(f) for f in schema["fields"] if "default" not in f]
        return result
    if isinstance(schema, list):
        return [_without_defaulted_fields(s) for s in schema]
    return schema


@pytest.mark.parametrize("name", list(codec.RECORDS))
def test_fields_added_with_defaults_keep_old_data_readable(name: str) -> None:
    """A writer that predates every defaulted field still yields a valid current model."""
    old_schema = fastavro.parse_schema(_without_defaulted_fields(copy.deepcopy(schema_json(name))))
    example = next(r for r in EXAMPLES if type(r).__name__ == name)
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, old_schema, example.model_dump())
    buffer.seek(0)
    raw = fastavro.schemaless_reader(buffer, old_schema, codec.schema(name))
    assert type(example).model_validate(raw).model_dump().keys() == example.model_dump().keys()


def test_a_case_resolved_written_with_v1_reads_with_the_console_fields_defaulted() -> None:
    v1 = CaseResolved(ticket_id="T-1", resolved_at=NOW, final_class="incident", final_reply="ok")
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, codec.schema("CaseResolved", 1), v1.model_dump())
    headers = {"content-type": b"application/avro", "sf-schema": b"CaseResolved/v1"}
    decoded = codec.decode(CaseResolved, buffer.getvalue(), headers)
    assert decoded == v1
    assert (decoded.event_id, decoded.action, decoded.case_revision, decoded.edit_distance) == (
        None,
        None,
        1,
        None,
    )
    assert decoded.settled_by == []


def test_a_case_resolved_written_with_v2_reads_with_no_settling_evidence() -> None:
    v2 = CaseResolved(ticket_id="T-1", resolved_at=NOW, final_class="unclear", action="resolve", team="l2")
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, codec.schema("CaseResolved", 2), v2.model_dump())
    headers = {"content-type": b"application/avro", "sf-schema": b"CaseResolved/v2"}
    decoded = codec.decode(CaseResolved, buffer.getvalue(), headers)
    assert decoded == v2
    assert decoded.settled_by == []
    assert codec.avro_headers("CaseResolved")["sf-schema"] == b"CaseResolved/v3"


def test_a_case_file_written_with_v1_reads_with_no_learned_path() -> None:
    case = full_case()
    case.investigation.learned_path = None  # type: ignore[union-attr]
    datum = case.model_dump()
    datum["investigation"].pop("learned_path")
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, codec.schema("CaseFile", 1), datum)
    headers = {"content-type": b"application/avro", "sf-schema": b"CaseFile/v1"}
    decoded = codec.decode(CaseFile, buffer.getvalue(), headers)
    assert decoded == case
    assert codec.avro_headers("CaseFile")["sf-schema"] == b"CaseFile/v3"


def test_a_helpdesk_time_without_a_zone_is_utc() -> None:
    # every reader compares the arrival with zoned times (a case's window, a status page's updates)
    unzoned = TicketReceived(
        ticket_id="t_1",
        message_id="m_1",
        received_at=datetime(2026, 1, 1, 10),
        requester={"email": "a@b.example"},
    )
    assert unzoned.received_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
