"""Check a pack's world for conflicting stories: another cause's proof in a ticket's account+window.

A ticket's investigation window is the union of the intake window (normalize()) and the 72 h
before `received_at`.  usage: python scripts/world_coherence.py PACK [--show N]
"""

from __future__ import annotations

import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

import argparse
from collections import Counter
from pathlib import Path

from domains.lumen.world.coherence import Conflict, find_conflicts
from services.intake.normalize import normalize
from supportflow.world import read_tickets

FALLBACK_MS = 72 * 3600 * 1000


def pack_conflicts(pack: Path) -> list[Conflict]:
    windows: dict[str, tuple[int, int]] = {}
    keys: list[tuple[str, str, str | None]] = []
    for item in read_tickets(pack):
        ticket, truth = item.ticket, item.truth
        received = int(ticket.received_at.timestamp() * 1000)
        start, end = received - FALLBACK_MS, received
        section = normalize(ticket)
        if section.window_start is not None:
            start = min(start, int(section.window_start.timestamp() * 1000))
        if section.window_end is not None:
            end = max(end, min(int(section.window_end.timestamp() * 1000), received))
        windows[ticket.ticket_id] = (start, end)
        account = truth.identifiers.get("account_id") or _account_of(pack, ticket.requester.email)
        if account:
            keys.append((ticket.ticket_id, account, truth.cause))
    return find_conflicts(pack, windows, keys)


_EMAILS: dict[Path, dict[str, str]] = {}


def _account_of(pack: Path, email: str) -> str | None:
    if pack not in _EMAILS:
        import orjson

        rows = (orjson.loads(x) for x in (pack / "world" / "users.jsonl").read_bytes().splitlines() if x)
        _EMAILS[pack] = {str(r["email"]).lower(): str(r["account_id"]) for r in rows}
    return _EMAILS[pack].get(email.lower())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack", type=Path)
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()
    conflicts = pack_conflicts(args.pack)
    tickets = {c.ticket_id for c in conflicts}
    print(f"{len(conflicts)} conflicting signals in {len(tickets)} tickets")
    print(Counter(f"{c.truth_cause}<-{c.other_cause}" for c in conflicts).most_common(20))
    for c in conflicts[: args.show]:
        print(c)


if __name__ == "__main__":
    main()
