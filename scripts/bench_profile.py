"""Profile the five services at max throughput: py-spy on every service while a backlog drains.

Usage: python scripts/bench_profile.py [TICKETS] [OUT_DIR]  (py-spy from PyPI; writes one
flame-graph SVG and one top-functions text file per service).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

from supportflow import bench
from supportflow.admin import delete_topics
from supportflow.demo import EXAMPLE_PACK
from supportflow.settings import get_settings
from supportflow.topics import REPLIES_DRAFTED, TICKETS_RECEIVED
from supportflow.world.loader import read_tickets


async def main(tickets: int, out: Path) -> None:
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    settings = bench.bench_settings(get_settings(), uuid.uuid4().hex[:8])
    fleet = await bench.start_world(settings, EXAMPLE_PACK)
    items = read_tickets(EXAMPLE_PACK)
    report = lambda label, done, total: None  # noqa: E731
    try:
        await bench.warm_up(settings, items, report)
        spies = [
            await asyncio.create_subprocess_exec(
                *[
                    "py-spy",
                    "record",
                    "--pid",
                    str(entry.process.pid),
                    "--duration",
                    "25",
                    "--rate",
                    "50",
                    "--format",
                    "raw",
                    "--output",
                    str(out / f"{name}.txt"),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            for name, entry in fleet.running.items()
        ]
        load = bench.payloads(items, f"P{uuid.uuid4().hex[:4]}-", tickets)
        phase = await bench.max_throughput(
            settings,
            settings.topic(TICKETS_RECEIVED),
            settings.topic(REPLIES_DRAFTED),
            load,
            report,
            "profile",
        )
        print(f"{phase.arrived} tickets in {phase.seconds:.1f}s = {phase.tps:.1f}/s")
        for spy in spies:
            await spy.wait()
    finally:
        fleet.stop()
        await delete_topics(settings)


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 800,
            Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/sf-profile"),
        )
    )
