"""`supportflow world generate` and `supportflow pack load`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from supportflow.world.loader import domain_world, load_pack
from supportflow.world.pack import PackError


def register(sub: Any, name: str) -> None:
    if name == "world":
        parser = sub.add_parser(
            "world",
            help="generate a scenario pack of the configured domain's product (its world/generator.py)",
        )
        actions = parser.add_subparsers(required=True, metavar="ACTION")
        generate = actions.add_parser("generate", help="write a pack: world/*.jsonl and tickets.jsonl")
        generate.add_argument(
            "--seed", type=int, required=True, help="seed of the world: the same seed, the same pack"
        )
        generate.add_argument(
            "--tickets", type=int, default=300, help="how many labelled tickets (default: 300)"
        )
        generate.add_argument(
            "--ticket-seed",
            type=int,
            default=None,
            help="seed for the tickets only (default: --seed); the world files depend on --seed alone",
        )
        generate.add_argument(
            "--log-lines", type=int, default=None, help="background log lines (default: scaled)"
        )
        generate.add_argument("--out", type=Path, required=True, help="folder to write the pack into")
        generate.set_defaults(handler=cmd_generate)
    else:
        parser = sub.add_parser("pack", help="load a scenario pack's world into the evidence database")
        actions = parser.add_subparsers(required=True, metavar="ACTION")
        load = actions.add_parser("load", help="load world/*.jsonl into SQL (idempotent)")
        load.add_argument("pack", type=Path, help="a scenario pack folder (with world/*.jsonl)")
        load.add_argument("--db", required=True, help="SQLAlchemy URL, e.g. sqlite:///.supportflow/world.db")
        load.set_defaults(handler=cmd_load)


def cmd_generate(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    with console.status(f"generating a pack with seed {args.seed}…"):
        summary = domain_world("generator").generate_pack(
            args.seed, args.tickets, args.out, log_lines=args.log_lines, ticket_seed=args.ticket_seed
        )
    console.print(f"wrote {summary.tickets} tickets to {summary.out} ({summary.bytes / 1e6:.1f} MB)")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    with console.status(f"loading {args.pack}…") as status:

        def progress(table: str, rows: int) -> None:
            status.update(f"loading {args.pack}: {table} ({rows:,} rows)")

        try:
            report = load_pack(args.pack, args.db, progress=progress)
        except PackError as exc:
            console.print(f"[red]{exc}[/]")
            return 2
    verb = "already loaded" if report.skipped else f"loaded in {report.seconds:.1f}s"
    console.print(f"{args.pack}: {verb} ({sum(report.rows.values()):,} rows)")
    return 0
