"""What a newcomer meets on the command line: one clear line and exit 2 for a bad ticket file or
no broker, readable `tail` blocks, `down`, and help for every argument."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from casefactory import decided_case

from supportflow import codec
from supportflow.cli import Shown, build_parser, main
from supportflow.demo import closing_note
from supportflow.events import CaseFile, DeadLetter, LearnedPathUse, utcnow
from supportflow.fleet import free_port_block, stop_recorded

REPO = Path(__file__).resolve().parents[2]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    return int(ended.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("subject: help\nbody: it fails\n", "line 1: not JSON"),
        ('{"ticket_id": "T-1", "message_id": "m-1", "received_at": "2026-01-01T00:00:00Z"}', "requester"),
        ('[{"ticket_id": "T-1"}]', "ticket 1: not a valid ticket"),
        ("[1, 2]", "ticket 1: a ticket is a JSON object, not int"),
    ],
)
def test_send_a_bad_ticket_file_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    path = tmp_path / "ticket.json"
    path.write_text(content, encoding="utf-8")
    code, err = run_cli(["send", str(path)], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert str(path) in err and expected in err
    assert "Traceback" not in err


def test_send_a_missing_path_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(["send", str(tmp_path / "nope.json")], capsys)
    assert code == 2
    assert err.strip() == f"supportflow send: {tmp_path / 'nope.json'}: no such file"


def test_send_an_empty_file_warns_and_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_text("\n\n", encoding="utf-8")
    code, err = run_cli(["send", str(path)], capsys)
    assert code == 0
    assert "warning" in err and "holds no tickets; nothing sent" in err


@pytest.mark.parametrize("command", [["send", "examples/ticket.json"], ["tail", "support.replies.drafted"]])
def test_without_a_broker_send_and_tail_say_how_to_start_one(command: list[str]) -> None:
    port = free_port_block(1)  # nothing listens there
    result = subprocess.run(
        [sys.executable, "-m", "supportflow", *command],
        cwd=REPO,
        env=os.environ | {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}"},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"supportflow: no Kafka broker answers on 127.0.0.1:{port} — start one with `supportflow broker start`"
    )
    assert "Traceback" not in result.stderr


def record(value: Any, key: str, offset: int, header: str) -> SimpleNamespace:
    return SimpleNamespace(
        key=key.encode(),
        value=codec.encode(value),
        headers=list(codec.avro_headers(header).items()),
        partition=0,
        offset=offset,
    )


async def feed(*items: SimpleNamespace | None) -> AsyncIterator[SimpleNamespace | None]:
    for item in items:
        yield item
        await asyncio.sleep(0)


def test_tail_shows_one_readable_block_per_case_of_the_ticket_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cases = [decided_case("plan_limit", ticket_id=f"T-{n}") for n in (1, 2, 1, 1, 1)]
    records = [record(case, case.ticket_id, n, "CaseFile") for n, case in enumerate(cases)]
    # the backlog (read before the first empty poll) holds T-1 three times; then one new record
    shown = Shown(CaseFile, ticket="T-1", last=2)
    count = asyncio.run(shown.records(feed(*records[:4], None, records[4])))
    out = capsys.readouterr().out
    assert count == 3  # the last 2 of the backlog's T-1 records, then the new one
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 3
    assert all(block.startswith("T-1  revision 1") for block in blocks)
    assert "decision  expected_behavior (plan_limit)" in blocks[0]
    assert "{" not in out  # not JSON


def test_tail_names_the_learned_path_that_decided_a_case(capsys: pytest.CaptureFixture[str]) -> None:
    case = decided_case("plan_limit", ticket_id="T-7")
    assert case.investigation is not None
    case.investigation.learned_path = LearnedPathUse(
        path_id="lp-1", cause="plan_limit", decision_class="expected_behavior", cases=["T-1", "T-2"]
    )
    asyncio.run(Shown(CaseFile).records(feed(record(case, case.ticket_id, 0, "CaseFile"))))
    assert "learned   path lp-1 from T-1, T-2" in capsys.readouterr().out


def test_tail_cuts_dead_letter_bodies(capsys: pytest.CaptureFixture[str]) -> None:
    letter = DeadLetter(
        service="intake",
        origin_topic="support.tickets.received",
        origin_partition=1,
        origin_offset=7,
        key=b"T-9",
        reason="too_large",
        error="ticket of 2000000 bytes",
        original=b"x" * 500_000,
        failed_at=utcnow(),
    )
    for as_json in (False, True):
        asyncio.run(Shown(DeadLetter, as_json=as_json).records(feed(record(letter, "T-9", 0, "DeadLetter"))))
        out = capsys.readouterr().out
        assert len(out) < 2000
        assert "500,000 bytes" in out or '"original_bytes": 500000' in out
        assert "…" in out


def subcommand_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found[name] = child
                found |= {f"{name} {k}": v for k, v in subcommand_parsers(child).items()}
    return found


def test_every_subcommand_documents_its_arguments() -> None:
    undocumented = [
        f"{name}: {action.dest}"
        for name, child in subcommand_parsers(build_parser()).items()
        for action in child._actions
        if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction) and not action.help
    ]
    assert not undocumented
    assert "down" in subcommand_parsers(build_parser())


def test_down_stops_the_services_recorded_in_the_state_directory(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    service = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", "supportflow", "worker", "intake"],
        start_new_session=True,
    )
    # a stranger whose path mentions the project (a virtualenv named after it): still not ours
    venv = tmp_path / "supportflow-venv"
    venv.mkdir()
    (venv / "python").symlink_to(sys.executable)
    stranger = subprocess.Popen(
        [str(venv / "python"), "-c", "import time; time.sleep(120)"], start_new_session=True
    )
    try:
        (run / "intake.pid").write_text(str(service.pid))
        (run / "router.pid").write_text(str(stranger.pid))  # a reused pid: not a supportflow process
        began = time.monotonic()
        assert stop_recorded(run, timeout=10) == ["intake"]
        assert service.wait(timeout=10) == -signal.SIGTERM
        assert time.monotonic() - began < 10
        assert stranger.poll() is None
        assert not list(run.glob("*.pid"))
    finally:
        for process in (service, stranger):
            process.kill()
            process.wait(timeout=10)


def test_the_demo_says_the_broker_stays_running_and_how_to_stop_it() -> None:
    note = closing_note("127.0.0.1:9092", broker_is_ours=True, services_kept=False)
    assert note == (
        "The Kafka broker on 127.0.0.1:9092 stays running, so the next run starts at once: "
        "`supportflow down` stops it."
    )
    kept = closing_note("127.0.0.1:9092", broker_is_ours=True, services_kept=True)
    assert (
        "and the services (--keep-running) stay running" in kept and "`supportflow down` stops them" in kept
    )
    foreign = closing_note("127.0.0.1:9092", broker_is_ours=False, services_kept=True)
    assert "stays running; stop it the way it was started" in foreign
    assert "The services keep running: `supportflow down` stops them." in foreign
