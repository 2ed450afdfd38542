"""The pack loader: round trip into SQLite, idempotency, and bad lines that change nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from domains.lumen.world import generate_pack
from supportflow.world import PackError, load_pack, read_tickets


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("source")
    generate_pack(5, 40, out, log_lines=1500)
    return out


@pytest.fixture
def pack(source: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(source, copy)
    return copy


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_round_trip_counts_json_and_epoch_ms(pack: Path, tmp_path: Path) -> None:
    db = tmp_path / "world.db"
    seen: list[tuple[str, int]] = []
    report = load_pack(pack, f"sqlite:///{db}", progress=lambda table, rows: seen.append((table, rows)))
    assert not report.skipped
    for name in ("accounts", "users", "workspaces", "events", "logs", "changes", "incidents", "behaviours"):
        expected = len(_lines(pack / "world" / f"{name}.jsonl"))
        assert report.rows[name] == expected == _count(db, name)
    assert ("logs", report.rows["logs"]) in seen

    first_account = _lines(pack / "world" / "accounts.jsonl")[0]
    with sqlite3.connect(db) as conn:
        limits, flags, created = conn.execute(
            "SELECT limits, flags, created_at FROM accounts WHERE account_id = ?",
            (first_account["account_id"],),
        ).fetchone()
        assert json.loads(limits) == first_account["limits"]
        assert json.loads(flags) == first_account["flags"]
        assert isinstance(created, int) and created > 1_600_000_000_000
        ts, details = conn.execute("SELECT ts, details FROM events ORDER BY ts LIMIT 1").fetchone()
        assert isinstance(ts, int) and isinstance(json.loads(details), dict)
        assert conn.execute("SELECT typeof(status) FROM logs LIMIT 1").fetchone()[0] == "integer"
        open_incidents = conn.execute("SELECT count(*) FROM incidents WHERE resolved_at IS NULL").fetchone()[
            0
        ]
        assert open_incidents == sum(
            1 for i in _lines(pack / "world" / "incidents.jsonl") if i["resolved_at"] is None
        )
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_events_account_id_ts", "ix_logs_account_id_ts", "ix_logs_ts", "ix_changes_account_id_ts",
                "ix_changes_ts", "ix_users_email"} <= indexes  # fmt: skip
        meta = dict(conn.execute("SELECT key, value FROM pack_meta").fetchall())
        assert meta["content_hash"] == report.content_hash


def test_same_pack_again_is_a_no_op_and_another_pack_replaces(pack: Path, tmp_path: Path) -> None:
    db = tmp_path / "world.db"
    url = f"sqlite:///{db}"
    first = load_pack(pack, url)
    again = load_pack(pack, url)
    assert again.skipped and again.rows == first.rows

    other = tmp_path / "other"
    generate_pack(6, 30, other, log_lines=700)
    replaced = load_pack(other, url)
    assert not replaced.skipped
    assert _count(db, "logs") == len(_lines(other / "world" / "logs.jsonl"))
    assert _count(db, "accounts") == len(_lines(other / "world" / "accounts.jsonl"))


@pytest.mark.parametrize(
    ("file", "line", "problem"),
    [
        ("logs", '{"ts": "2026-11-01T10:00:00Z", "service": "auth"', "bad JSON"),
        ("events", '{"ts": "2026-11-01T10:00:00Z", "type": "login"}', "missing required key 'account_id'"),
        ("changes", '{"ts": "last tuesday", "kind": "deploy", "target": "auth"}', "bad timestamp"),
    ],
)
def test_bad_line_names_file_and_line_and_changes_nothing(
    pack: Path, tmp_path: Path, file: str, line: str, problem: str
) -> None:
    db = tmp_path / "world.db"
    url = f"sqlite:///{db}"
    load_pack(pack, url)
    before = {t: _count(db, t) for t in ("accounts", "events", "logs", "changes")}
    with sqlite3.connect(db) as conn:
        hash_before = conn.execute("SELECT value FROM pack_meta WHERE key = 'content_hash'").fetchone()[0]

    path = pack / "world" / f"{file}.jsonl"
    lines = path.read_text().splitlines()
    lines.insert(2, line)
    path.write_text("\n".join(lines) + "\n")
    # a different pack now: the accounts file changes too, so a partial load would show
    accounts = pack / "world" / "accounts.jsonl"
    accounts.write_text("\n".join(accounts.read_text().splitlines()[:3]) + "\n")

    with pytest.raises(PackError) as caught:
        load_pack(pack, url)
    assert f"{file}.jsonl:3" in str(caught.value)
    assert problem in str(caught.value)
    assert caught.value.line == 3
    assert {t: _count(db, t) for t in before} == before
    with sqlite3.connect(db) as conn:
        assert (
            conn.execute("SELECT value FROM pack_meta WHERE key = 'content_hash'").fetchone()[0]
            == hash_before
        )


def test_read_tickets_and_bad_ticket_lines(pack: Path) -> None:
    tickets = read_tickets(pack)
    assert tickets and tickets[0].truth.route_queue
    path = pack / "tickets.jsonl"
    lines = path.read_text().splitlines()
    broken = json.loads(lines[1])
    del broken["ticket"]["requester"]
    broken["truth"]["some_future_field"] = 1  # unknown truth fields are ignored, missing ones are not
    lines[1] = json.dumps(broken)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(PackError, match=r"tickets\.jsonl:2: ticket\.requester"):
        read_tickets(pack)


def test_missing_world_folder(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no world/ folder"):
        load_pack(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
