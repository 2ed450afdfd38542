"""`supportflow eval PACK [--json FILE] [--learn-from PACK2]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from supportflow.progress import phase_bars
from supportflow.settings import get_settings


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(name, help="score the real pipeline on a scenario pack, layer by layer")
    parser.add_argument("pack", type=Path, help="a scenario pack folder (world/ and tickets.jsonl)")
    parser.add_argument("--json", type=Path, default=None, help="write the full report as JSON")
    parser.add_argument(
        "--learn-from", type=Path, default=None, help="learn from this pack's resolved cases first"
    )
    parser.add_argument("--keep-topics", action="store_true", help="keep the eval namespace's topics")
    parser.add_argument(
        "--domain",
        type=Path,
        default=None,
        help="the domain folder the pack's product is described by (default: SUPPORTFLOW_DOMAIN)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from supportflow.broker import broker_for
    from supportflow.evaluation.report import print_report
    from supportflow.evaluation.runner import evaluate

    console = Console(stderr=True)
    if not (args.pack / "tickets.jsonl").exists():
        console.print(f"[red]{args.pack} is not a scenario pack (no tickets.jsonl)[/]")
        return 2
    if args.domain is not None:
        from supportflow.domain import DomainError, load_domain

        try:
            load_domain(args.domain)
        except DomainError as exc:
            console.print(f"[red]{exc}[/]")
            return 2
        # this process scores with the domain's vocabulary and replies, as its services do
        os.environ["SUPPORTFLOW_DOMAIN"] = str(args.domain.resolve())
        get_settings.cache_clear()
    settings = get_settings()
    broker_for(settings.bootstrap_servers, settings.state_dir).start()
    with phase_bars(console) as progress:
        report = asyncio.run(
            evaluate(
                args.pack, settings, learn_from=args.learn_from, progress=progress, keep=args.keep_topics
            )
        )
    print_report(report, Console())
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        console.print(f"report written to {args.json}")
    return 0 if report.get("lost", 1) == 0 else 1
