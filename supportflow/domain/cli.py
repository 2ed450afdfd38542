"""`supportflow domain init|check|try`: build a domain folder, validate it against the live
sources, and trace one ticket through it in-process before anything runs on Kafka."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from supportflow.domain.loader import Domain, load_domain
from supportflow.domain.yamlfile import DomainError

console = Console()
SKELETON = Path(__file__).parent / "skeleton"


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(name, help="build, validate and try a domain folder (one product)")
    actions = parser.add_subparsers(required=True, metavar="ACTION")

    init = actions.add_parser("init", help="write a commented skeleton domain folder")
    init.add_argument("name", help="the folder to create (its last part names the domain)")
    init.set_defaults(handler=cmd_init)

    check = actions.add_parser(
        "check", help="validate a domain folder and read one sample row of every entity from its sources"
    )
    check.add_argument("folder", type=Path, help="the domain folder (holding domain.yaml)")
    check.add_argument("--db", default=None, help="SQLAlchemy URL for the sql source (else its ${VARIABLE})")
    check.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a ${NAME} of the folder's YAML"
    )
    check.set_defaults(handler=cmd_check)

    trial = actions.add_parser("try", help="run one ticket through the domain in-process and print the trace")
    trial.add_argument("folder", type=Path, help="the domain folder (holding domain.yaml)")
    trial.add_argument("ticket", type=Path, help="a TicketReceived as JSON (a pack line works too)")
    trial.add_argument("--db", default=None, help="SQLAlchemy URL for the sql source (else its ${VARIABLE})")
    trial.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a ${NAME} of the folder's YAML"
    )
    trial.add_argument("--json", action="store_true", help="print the whole case file as JSON")
    trial.set_defaults(handler=cmd_try)


def _env(args: argparse.Namespace) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        env[name] = value
    if args.db:
        env["SUPPORTFLOW_WORLD_DB"] = args.db
    return env


def _load(args: argparse.Namespace) -> Domain | None:
    try:
        return load_domain(args.folder, env=_env(args))
    except DomainError as exc:
        console.print(f"[red]{exc}[/]")
        return None


def cmd_init(args: argparse.Namespace) -> int:
    target = Path(args.name)
    if target.exists():
        console.print(f"[red]{target} exists; choose a new folder[/]")
        return 2
    shutil.copytree(SKELETON, target)
    load_domain(target, env={"SUPPORTFLOW_WORLD_DB": "sqlite:///:memory:"})  # the skeleton is valid
    console.print(f"wrote {target}/ — start with domain.yaml; docs/ADOPTING.md walks through it")
    for path in sorted(target.iterdir()):
        console.print(f"  {path.name}")
    return 0


async def _sample(domain: Domain) -> list[tuple[str, str, str]]:
    """(entity, status, detail) for every entity: one read through its source, and the mapped
    fields the row lacks."""
    from services.investigator.sources import Query, build_sources
    from services.investigator.sources.base import SourceUnavailable

    sources = build_sources(domain.data)
    results: list[tuple[str, str, str]] = []
    columns = _sql_columns(domain)
    try:
        for name, entity in domain.data.entities.items():
            if name not in sources.entities:
                results.append(
                    (name, "no source", f"source {entity.source!r} has no location (unset variable?)")
                )
                continue
            known = columns.get(entity.source)
            if known is not None:
                table = entity.table or name
                if table not in known:
                    results.append((name, "missing table", f"{entity.source} has no table {table!r}"))
                    continue
                named = [entity.tenant_field, entity.time_field, *entity.times, *entity.json_fields]
                named += [where.split("$", 1)[0] for where in entity.fields.values()]
                named += list(entity.where)
                absent = sorted({c for c in named if c and c not in known[table]})
                if absent:
                    results.append((name, "missing columns", f"{table}: {', '.join(absent)}"))
                    continue
            view = sources.for_case()
            try:
                rows = await view.fetch(Query(name, limit=1))
            except SourceUnavailable as exc:
                results.append((name, "unavailable", exc.reason))
                continue
            if not rows:
                results.append((name, "empty", "the source answered with no rows; fields not verified"))
                continue
            row = rows[0]
            wanted = [entity.tenant_field, entity.time_field, *entity.times, *entity.json_fields]
            missing = [f for f in wanted if f and f not in row]
            missing += [
                f"{logical} ← {where}"
                for logical, where in entity.fields.items()
                if row.get(logical) is None and "$" not in where and where not in row
            ]
            if missing:
                results.append((name, "missing fields", ", ".join(missing)))
            else:
                results.append((name, "ok", f"{len(row)} fields read"))
    finally:
        await sources.aclose()
    return results


def _sql_columns(domain: Domain) -> dict[str, dict[str, set[str]]]:
    """source name -> table -> columns, for the SQL sources that answer (introspected)."""
    import sqlalchemy as sa

    from services.investigator.sources.registry import expand
    from services.investigator.sources.sql import sqlalchemy_url
    from supportflow.domain.models import SqlSourceSpec

    found: dict[str, dict[str, set[str]]] = {}
    for name, spec in domain.data.sources.items():
        url = expand(spec.url) if isinstance(spec, SqlSourceSpec) else ""
        if not url:
            continue
        engine = sa.create_engine(sqlalchemy_url(url))
        try:
            inspector = sa.inspect(engine)
            found[name] = {
                t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()
            }
        except sa.exc.SQLAlchemyError:
            continue
        finally:
            engine.dispose()
    return found


def cmd_check(args: argparse.Namespace) -> int:
    domain = _load(args)
    if domain is None:
        return 2
    hypotheses = domain.playbooks.get("hypotheses") or {}
    console.print(
        f"[green]{domain.folder}: valid[/] — {domain.product.name}: {len(domain.data.entities)} entities, "
        f"{len(domain.checks)} checks of generic kinds, {len(domain.code_checks)} code checks, "
        f"{len(hypotheses)} hypotheses, {len(domain.vocabulary.identifiers)} identifier kinds"
    )
    results = asyncio.run(_sample(domain))
    table = Table("entity", "status", "detail")
    for name, status, detail in results:
        colour = "green" if status == "ok" else "yellow" if status == "empty" else "red"
        table.add_row(name, f"[{colour}]{status}[/]", detail)
    console.print(table)
    return 0 if all(status in ("ok", "empty") for _, status, _ in results) else 1


def _read_ticket(path: Path) -> Any:
    from supportflow.events import TicketReceived

    raw = json.loads(path.read_text(encoding="utf-8"))
    return TicketReceived.model_validate(raw.get("ticket", raw))


async def _trace(domain: Domain, ticket: Any) -> Any:
    from services.drafter.draft import draft
    from services.drafter.templates import replies_for
    from services.intake.normalize import normalize
    from services.intake.vocabulary import IntakeVocabulary
    from services.investigator import build_sources, investigate, load_playbooks
    from services.router.decide import decide
    from services.router.routing import load_routing
    from supportflow import masking
    from supportflow.events import CaseFile

    case = CaseFile(ticket_id=ticket.ticket_id, ticket=ticket)
    with masking.domain_secrets((re.compile(s.pattern), s.keep) for s in domain.vocabulary.secrets):
        case.intake = normalize(ticket, vocabulary=IntakeVocabulary.from_domain(domain))
        sources = build_sources(domain.data)
        try:
            case.investigation = await investigate(case, sources, load_playbooks(domain))
        finally:
            await sources.aclose()
        case.decision = decide(case, load_routing(domain))
        case.draft = draft(case, replies=replies_for(domain))
    return case


def cmd_try(args: argparse.Namespace) -> int:
    domain = _load(args)
    if domain is None:
        return 2
    try:
        ticket = _read_ticket(args.ticket)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{args.ticket}: {exc}[/]")
        return 2
    case = asyncio.run(_trace(domain, ticket))
    if args.json:
        print(case.model_dump_json(indent=2))
        return 0
    intake, investigation, decision = case.intake, case.investigation, case.decision
    console.rule(f"{ticket.ticket_id} — intake")
    console.print(
        f"problem type: {intake.problem_type}; language: {intake.language}; missing: {intake.missing}"
    )
    console.print(f"identifiers: {intake.identifiers}", markup=False)
    console.print(f"statement: {intake.problem_statement}", markup=False)
    console.rule("hypotheses")
    for hypothesis in investigation.hypotheses:
        console.print(f"  {hypothesis.verdict:12} {hypothesis.cause or '-':28} prior {hypothesis.prior:.2f}")
    console.rule("evidence")
    table = Table("id", "check", "query", "verdict", "observed")
    for evidence in investigation.evidence:
        query = ", ".join(f"{k}={v}" for k, v in evidence.query.items())
        table.add_row(
            evidence.evidence_id, evidence.check, query[:80], evidence.verdict, evidence.observed[:120]
        )
    console.print(table)
    console.rule("decision")
    console.print(
        f"{decision.decision_class} (cause {decision.cause}, confidence {decision.confidence:.2f}) → "
        f"{decision.route.queue} / {decision.route.team}"
    )
    console.rule("reply")
    console.print(case.draft.customer_reply, markup=False, highlight=False)
    return 0
