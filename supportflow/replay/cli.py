"""`supportflow replay --since T [--until T] --domain DIR [--limit N] [--json FILE] [--keep-topics]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

AGE = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
TIME_HELP = "ISO 8601 (2026-12-04T06:00Z; a time without zone is UTC) or an age (90m, 6h, 2d)"


class BadTime(ValueError):
    pass


def parse_time(text: str, now: datetime) -> datetime:
    """An ISO 8601 date or time (UTC when it names no zone), `now`, or an age before `now`."""
    text = text.strip()
    if text.lower() == "now":
        return now
    age = AGE.fullmatch(text)
    if age:
        return now - timedelta(**{UNITS[age.group(2).lower()]: int(age.group(1))})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadTime(f"cannot read {text!r} as a time: {TIME_HELP}") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(
        name,
        help="run past tickets through a candidate domain folder and show which decisions change",
        description=(
            "Read the tickets received in [--since, --until) from support.tickets.received, run them "
            "through the candidate domain folder in a private namespace (its own topics, consumer "
            "groups and services; the live ones are only read), and compare each ticket's class and "
            "route with what support.replies.drafted holds for it."
        ),
    )
    parser.add_argument("--since", required=True, metavar="T", help=f"start of the range: {TIME_HELP}")
    parser.add_argument(
        "--until", default="now", metavar="T", help="end of the range, excluded (default: now)"
    )
    parser.add_argument(
        "--domain", required=True, type=Path, metavar="DIR", help="the candidate domain folder"
    )
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="only the first N tickets of the range"
    )
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="write the diff as JSON too")
    parser.add_argument(
        "--keep-topics", action="store_true", help="keep the private namespace's topics and state for a look"
    )
    parser.set_defaults(handler=run)


def fail(message: str) -> int:
    print(f"supportflow replay: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from supportflow.cli import broker_answers, no_broker, with_world
    from supportflow.domain import DomainError
    from supportflow.progress import phase_bars
    from supportflow.replay.diff import render
    from supportflow.replay.history import MissingTopic
    from supportflow.replay.runner import EmptyRange, ReplayFailed, replay
    from supportflow.settings import get_settings, load_domain_for

    now = datetime.now(UTC)
    try:
        since, until = parse_time(args.since, now), parse_time(args.until, now)
    except BadTime as exc:
        return fail(str(exc))
    if since >= until:
        return fail(
            f"--since ({since:%Y-%m-%dT%H:%M:%SZ}) is not before --until ({until:%Y-%m-%dT%H:%M:%SZ})"
        )
    if args.limit is not None and args.limit < 1:
        return fail(f"--limit must be at least 1, not {args.limit}")
    settings = get_settings()
    if not broker_answers(settings):
        return no_broker(settings)
    settings = with_world(settings)
    try:
        load_domain_for(settings.model_copy(update={"domain": args.domain.resolve()}))
    except DomainError as exc:
        return fail(" ".join(str(exc).split()))
    console = Console(stderr=True)
    try:
        with phase_bars(console) as progress:
            report = asyncio.run(
                replay(
                    settings,
                    args.domain,
                    since,
                    until,
                    limit=args.limit,
                    keep_topics=args.keep_topics,
                    progress=progress,
                )
            )
    except MissingTopic as exc:
        return fail(
            f"no topic {exc} on {settings.bootstrap_servers} (is SUPPORTFLOW_NAMESPACE the live one?)"
        )
    except EmptyRange as exc:
        return fail(str(exc))
    except (ReplayFailed, TimeoutError) as exc:
        print(f"supportflow replay: the replay did not finish: {exc}", file=sys.stderr)
        return 1
    print(
        f"replay of {since:%Y-%m-%dT%H:%M:%SZ} – {until:%Y-%m-%dT%H:%M:%SZ} through {args.domain} "
        f"({report.seconds:.1f}s)"
    )
    for line in render(report.diff):
        print(line)
    if report.history_before_since:
        print(
            f"replayed without their messages before --since: {len(report.history_before_since)} "
            f"({', '.join(report.history_before_since[:10])})"
        )
    if report.kept_namespace:
        console.print(f"private topics kept under {report.kept_namespace}")
    if args.json:
        args.json.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        console.print(f"diff written to {args.json}")
    return 1 if any(f.reason == "not_drafted" for f in report.diff.failed) else 0
