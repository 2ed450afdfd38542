"""`supportflow replay` on the real broker: tickets drafted by a running pipeline are replayed
through a candidate domain folder that lacks one hypothesis, and the diff shows exactly the
tickets that hypothesis decided."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from domains import DEFAULT_DOMAIN
from supportflow import codec
from supportflow.demo import EXAMPLE_PACK
from supportflow.fleet import Fleet
from supportflow.settings import Settings
from supportflow.topics import REPLIES_DRAFTED, TICKETS_RECEIVED
from supportflow.traffic import collect_cases, publish_raw, publish_tickets
from supportflow.world.loader import read_tickets

REMOVED = "user_deleted_data"
TICKETS = 8  # T-7-0001 … T-7-0008 of the demo pack: T-7-0001 is a deletion, the others are not


def without_hypothesis(tmp: Path, cause: str) -> Path:
    """A copy of the demo domain whose playbooks no longer know `cause`."""
    folder = tmp / "candidate"
    shutil.copytree(DEFAULT_DOMAIN, folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / "playbooks.yaml"
    playbooks = yaml.safe_load(path.read_text(encoding="utf-8"))
    del playbooks["hypotheses"][cause]
    for playbook in playbooks["playbooks"].values():
        playbook["hypotheses"] = [h for h in playbook["hypotheses"] if h != cause]
    path.write_text(yaml.safe_dump(playbooks, allow_unicode=True), encoding="utf-8")
    return folder


async def end_offsets(settings: Settings, names: list[str]) -> dict[str, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # as supportflow.admin.read_topic does
        counts = {}
        for name in names:
            tps = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or ()]
            counts[name] = sum((await consumer.end_offsets(tps)).values())
        return counts
    finally:
        await consumer.stop()


async def left_behind(settings: Settings, prefix: str) -> list[str]:
    """Topics and consumer groups whose name starts with `prefix`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        groups = [group for group, *_ in await admin.list_consumer_groups()]
        return [name for name in [*await admin.list_topics(), *groups] if name.startswith(prefix)]
    finally:
        await admin.close()


def test_replay_shows_the_decisions_a_removed_hypothesis_changes(
    isolated_settings: Settings, world_db: str, tmp_path: Path
) -> None:
    live = isolated_settings.model_copy(update={"world_db": world_db})
    items = read_tickets(EXAMPLE_PACK)[:TICKETS]
    wanted = {item.ticket.ticket_id for item in items}
    since = datetime.now(UTC) - timedelta(seconds=1)
    fleet = Fleet(live, log_dir=live.state_dir / "logs")
    fleet.start()
    try:
        fleet.wait_healthy(timeout=120)
        asyncio.run(publish_tickets(live, [item.ticket for item in items]))
        drafted = asyncio.run(collect_cases(live, wanted, timeout=180)).cases
    finally:
        fleet.stop()
    assert drafted.keys() == wanted
    # in the range too: a ticket the live services never drafted, and a record nobody can read
    late = read_tickets(EXAMPLE_PACK)[TICKETS].ticket
    asyncio.run(publish_tickets(live, [late]))
    poison = {"content-type": codec.JSON.encode()}
    asyncio.run(publish_raw(live, TICKETS_RECEIVED, b"{not json", key=b"BAD-1", headers=poison))
    then = {ticket_id: case.decision for ticket_id, case in drafted.items() if case.decision}
    affected = {ticket_id for ticket_id, decision in then.items() if decision.cause == REMOVED}
    assert affected, f"no ticket was decided as {REMOVED} by the live domain: {then}"
    time.sleep(1.0)
    until = datetime.now(UTC)
    live_topics = [live.topic(TICKETS_RECEIVED), live.topic(REPLIES_DRAFTED)]
    before = asyncio.run(end_offsets(live, live_topics))

    report_path = tmp_path / "replay.json"
    env = dict(os.environ) | {
        "KAFKA_BOOTSTRAP_SERVERS": live.bootstrap_servers,
        "SUPPORTFLOW_NAMESPACE": live.namespace,
        "SUPPORTFLOW_STATE_DIR": str(live.state_dir),
        "SUPPORTFLOW_WORLD_DB": world_db,
    }
    began = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "supportflow",
            "replay",
            "--since",
            since.isoformat(),
            "--until",
            until.isoformat(),
            "--domain",
            str(without_hypothesis(tmp_path, REMOVED)),
            "--json",
            str(report_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    print(f"replay of {TICKETS + 2} records: {time.monotonic() - began:.1f}s wall")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    report = json.loads(report_path.read_text())
    print(done.stdout)

    assert report["replayed"] == TICKETS + 2
    assert [row["ticket_id"] for row in report["no_earlier_draft"]] == [late.ticket_id]
    assert [(row["ticket_id"], row["reason"]) for row in report["failed"]] == [("BAD-1", "decode_error")]
    changed = {row["ticket_id"]: row for row in report["changed"]}
    assert changed.keys() == affected, done.stdout
    assert report["unchanged"] == TICKETS - len(affected)
    for ticket_id, row in changed.items():
        assert row["then"]["decision_class"] == then[ticket_id].decision_class
        assert row["then"]["cause"] == REMOVED and row["now"]["cause"] != REMOVED
    transitions = sum(report["class_transitions"].values())
    assert transitions == sum(
        row["then"]["decision_class"] != row["now"]["decision_class"] for row in changed.values()
    )
    for ticket_id in [*affected, late.ticket_id, "BAD-1"]:
        assert ticket_id in done.stdout
    # the live topics were only read; the private topics, groups and state are gone
    assert asyncio.run(end_offsets(live, live_topics)) == before
    assert asyncio.run(left_behind(live, f"{live.namespace}replay-")) == []
    assert not list((live.state_dir / "replay").glob("*"))


def test_replay_refuses_bad_input_with_one_line_and_exit_2(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(DEFAULT_DOMAIN, broken, ignore=shutil.ignore_patterns("__pycache__"))
    playbooks = broken / "playbooks.yaml"
    playbooks.write_text(
        playbooks.read_text(encoding="utf-8").replace("class: expected_behavior", "class: maybe", 1),
        encoding="utf-8",
    )
    env = dict(os.environ) | {
        "KAFKA_BOOTSTRAP_SERVERS": isolated_settings.bootstrap_servers,
        "SUPPORTFLOW_NAMESPACE": isolated_settings.namespace,
        "SUPPORTFLOW_STATE_DIR": str(isolated_settings.state_dir),
        "SUPPORTFLOW_WORLD_DB": f"sqlite:///{tmp_path / 'none.db'}",
    }

    def replay(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "supportflow", "replay", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    cases = {
        "bad domain": (
            ["--since", "1h", "--domain", str(broken)],
            "playbooks.yaml:56: hypotheses.plan_limit.class",
        ),
        "no domain": (["--since", "1h", "--domain", str(tmp_path / "nowhere")], "not a domain folder"),
        "bad time": (["--since", "yesterday-ish", "--domain", str(DEFAULT_DOMAIN)], "cannot read"),
        "inverted": (["--since", "1h", "--until", "2h", "--domain", str(DEFAULT_DOMAIN)], "is not before"),
        "empty range": (["--since", "10m", "--domain", str(DEFAULT_DOMAIN)], "no ticket on"),
    }
    for name, (args, expected) in cases.items():
        done = replay(*args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        assert expected in lines[-1] and lines[-1].startswith("supportflow replay: "), (name, done.stderr)
        assert "Traceback" not in done.stderr, (name, done.stderr)
