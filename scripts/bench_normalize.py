"""Throughput of `normalize()` on one core, in tickets per CPU-second.

Run: python scripts/bench_normalize.py [--rounds 7] [--pack PATH] [--profile]

The corpus is the example pack's tickets plus the real SeaMonkey sample. Each round normalizes
every ticket once and is timed with `time.process_time()`, so other load on a shared machine does
not count against the figure (it still slows caches, hence several rounds: the median is the
typical figure, the best round the closest to an uncontended core). This is a measurement, not a
test: machines differ. `--profile` prints the cProfile hot spots (by own time) instead.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import pstats
import statistics
import time
from datetime import datetime
from pathlib import Path

from services.intake.normalize import normalize
from supportflow.events import Requester, TicketReceived
from supportflow.world import read_tickets

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PACK = ROOT / "examples" / "packs" / "lumen-demo"
SEAMONKEY = ROOT / "tests" / "data" / "seamonkey_sample.csv"


def seamonkey_tickets() -> list[TicketReceived]:
    with SEAMONKEY.open(newline="", encoding="utf-8") as handle:
        return [
            TicketReceived(
                ticket_id=row["Issue id"],
                message_id=row["Issue id"],
                received_at=datetime.fromisoformat(row["Created"]),
                subject=row["Summary"],
                body=row["Description"],
                requester=Requester(email="reporter@bugzilla.example"),
            )
            for row in csv.DictReader(handle)
        ]


def pack_tickets(pack: Path) -> list[TicketReceived]:
    return [item.ticket for item in read_tickets(pack)]


def cpu_rates(batch: list[TicketReceived], rounds: int) -> list[float]:
    """Tickets per CPU-second of each round over `batch`."""
    rates: list[float] = []
    for _ in range(rounds):
        started = time.process_time()
        for ticket in batch:
            normalize(ticket)
        rates.append(len(batch) / max(time.process_time() - started, 1e-9))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pack", type=Path, default=EXAMPLE_PACK, help="pack whose tickets to normalize")
    parser.add_argument("--profile", action="store_true", help="print cProfile hot spots instead")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    corpora = {"pack": pack_tickets(args.pack), "seamonkey": seamonkey_tickets()}
    corpora["mixed"] = [*corpora["pack"], *corpora["seamonkey"]]
    for ticket in corpora["mixed"]:
        normalize(ticket)  # compile patterns, fill caches
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(cpu_rates, corpora["mixed"], args.rounds)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        return
    for name, batch in corpora.items():
        chars = sum(len(t.body) + len(t.subject) for t in batch) / len(batch)
        rates = cpu_rates(batch, args.rounds)
        print(
            f"{name:9} {len(batch):4} tickets (mean {chars:,.0f} chars), {args.rounds} rounds: "
            f"median {statistics.median(rates):,.0f}, best {max(rates):,.0f} tickets per CPU-second"
        )


if __name__ == "__main__":
    main()
