"""The intake on real bug reports: SeaMonkey's Bugzilla (CC BY 4.0, see tests/data/README.md)."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import pytest

from services.intake.normalize import normalize
from supportflow.events import IntakeSection, Requester, TicketReceived

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "seamonkey_sample.csv"
HEADERS = {"steps": "Steps to reproduce:", "actual": "Actual results:", "expected": "Expected results:"}
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _rows() -> list[dict[str, str]]:
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


ROWS = _rows()
TEMPLATED = [r for r in ROWS if all(h in r["Description"] for h in HEADERS.values())]


def _ticket(row: dict[str, str]) -> TicketReceived:
    return TicketReceived(
        ticket_id=f"bmo-{row['Issue id']}",
        message_id=f"bmo-{row['Issue id']}-0",
        received_at=datetime.fromisoformat(row["Created"]),
        channel="web",
        subject=row["Summary"],
        body=row["Description"],
        requester=Requester(email="reporter@bugzilla.example"),
    )


def _reference_sections(description: str) -> dict[str, str]:
    """The template sections as the reporter's form wrote them: header to next header."""
    positions = sorted((description.index(h), kind, h) for kind, h in HEADERS.items())
    sections: dict[str, str] = {}
    for index, (start, kind, header) in enumerate(positions):
        end = positions[index + 1][0] if index + 1 < len(positions) else len(description)
        sections[kind] = description[start + len(header) : end].strip()
    return sections


def token_overlap(reference: str, candidate: str | None) -> float:
    """Token F1 between a reference section and what the intake recovered (1.0 when both empty)."""
    ref = _TOKEN.findall(reference.lower())
    got = _TOKEN.findall((candidate or "").lower())
    if not ref and not got:
        return 1.0
    if not ref or not got:
        return 0.0
    ref_counts: dict[str, int] = {}
    for token in ref:
        ref_counts[token] = ref_counts.get(token, 0) + 1
    common = 0
    for token in got:
        if ref_counts.get(token, 0) > 0:
            ref_counts[token] -= 1
            common += 1
    if common == 0:
        return 0.0
    precision, recall = common / len(got), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def test_sample_has_enough_templated_reports() -> None:
    assert len(ROWS) >= 200
    assert len(TEMPLATED) >= 100


def test_template_sections_recovered_for_at_least_90_percent() -> None:
    recovered = 0
    failures: list[str] = []
    for row in TEMPLATED:
        reference = _reference_sections(row["Description"])
        result = normalize(_ticket(row))
        scores = {
            kind: token_overlap(reference[kind], getattr(result, kind))
            for kind in ("steps", "actual", "expected")
        }
        if all(score >= 0.8 for score in scores.values()):
            recovered += 1
        else:
            failures.append(f"{row['Issue id']}: {scores}")
    ratio = recovered / len(TEMPLATED)
    print(f"\nSeaMonkey template recovery: {recovered}/{len(TEMPLATED)} = {ratio:.3f}")
    assert ratio >= 0.9, "\n".join(failures[:20])


def test_user_agent_gives_browser_and_os() -> None:
    with_agent = [r for r in TEMPLATED if r["Description"].lstrip().startswith("User Agent: Mozilla/")]
    assert with_agent
    for row in with_agent:
        env = normalize(_ticket(row)).environment
        assert env.user_agent and env.user_agent.startswith("Mozilla/"), row["Issue id"]
        assert env.browser, row["Issue id"]
        assert env.os, row["Issue id"]


@pytest.mark.parametrize(
    ("issue_id", "browser", "os"),
    [("1619123", "SeaMonkey 2.53.1", "Windows 10"), ("1611120", "SeaMonkey 2.53.1", "macOS 10.14")],
)
def test_known_user_agents(issue_id: str, browser: str, os: str) -> None:
    (row,) = [r for r in ROWS if r["Issue id"] == issue_id]
    env = normalize(_ticket(row)).environment
    assert (env.browser, env.os) == (browser, os)


def test_every_row_normalizes_without_inventing_identifiers() -> None:
    invented: list[str] = []
    for row in ROWS:
        result = normalize(_ticket(row))
        assert isinstance(result, IntakeSection)
        IntakeSection.model_validate(result.model_dump())
        for key in (
            "account_id",
            "workspace_id",
            "user_id",
            "request_id",
            "api_key_prefix",
            "dashboard_id",
            "export_id",
            "integration",
        ):
            if key in result.identifiers:
                invented.append(f"{row['Issue id']}: {key}={result.identifiers[key]}")
        assert result.problem_statement.endswith(".")
        assert "\n" not in result.problem_statement
    assert invented == []
