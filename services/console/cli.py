"""`supportflow console`: serve the review console; `supportflow console add-agent`: an agent.

Agents come from `add-agent`, from a YAML seed (`--agents FILE`: a list of `{username, team,
password_hash}` or `{username, team, password_env}`), or, for the demo only, `--demo-agents`:
one agent per team of the routing table, `<team>-agent` with the password `demo-password`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from supportflow.settings import Settings, get_settings, load_domain_for

DEMO_PASSWORD = "demo-password"
console = Console(stderr=True)


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(name, help="the review console: agents review, edit and approve drafted cases")
    parser.add_argument("--db", help="SQLAlchemy URL (default: SUPPORTFLOW_CONSOLE_DB, else console.db)")
    parser.set_defaults(handler=cmd_serve, host=None, port=None, agents=None, demo_agents=False)
    actions = parser.add_subparsers(metavar="ACTION")
    serve = actions.add_parser("serve", help="serve the console (the default)")
    serve.add_argument("--host", default=None, help="listen address (default SUPPORTFLOW_WEB_HOST)")
    serve.add_argument("--port", type=int, default=None, help="port (default SUPPORTFLOW_CONSOLE_PORT, 6080)")
    serve.add_argument("--agents", type=Path, help="YAML seed of agents to create or update")
    serve.add_argument(
        "--demo-agents", action="store_true", help=f"one <team>-agent per team, password {DEMO_PASSWORD!r}"
    )
    serve.set_defaults(handler=cmd_serve)
    add = actions.add_parser("add-agent", help="create an agent or reset their team and password")
    add.add_argument("username", help="the agent's login name")
    add.add_argument("--team", required=True, help="the team whose queues the agent sees")
    add.add_argument("--password-env", help="read the password from this environment variable")
    add.set_defaults(handler=cmd_add_agent)


def open_store(settings: Settings, url: str | None) -> Any:
    from services.console.store import CaseStore, migrate

    settings.state_dir.mkdir(parents=True, exist_ok=True)
    url = url or settings.console_db_url()
    migrate(url)
    return CaseStore(url)


def teams(settings: Settings) -> list[str]:
    """The teams of the routing table, in order of first appearance."""
    routing = load_domain_for(settings).routing
    return list(dict.fromkeys(entry.team for entry in [*routing.classes.values(), *routing.causes.values()]))


def seed_agents(store: Any, path: Path) -> int:
    from services.console.access import hash_password

    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {"username", "team"} <= entry.keys():
            raise ValueError(f"{path}: entry {index + 1} needs username and team")
        password_hash = entry.get("password_hash")
        if not password_hash:
            variable = entry.get("password_env") or ""
            if not os.environ.get(variable):
                raise ValueError(f"{path}: entry {index + 1} needs password_hash or a set password_env")
            password_hash = hash_password(os.environ[variable])
        store.put_agent(str(entry["username"]), str(entry["team"]), str(password_hash))
    return len(entries)


def seed_demo_agents(store: Any, settings: Settings) -> list[str]:
    from services.console.access import hash_password

    password_hash = hash_password(DEMO_PASSWORD)
    names = []
    for team in teams(settings):
        store.put_agent(f"{team}-agent", team, password_hash)
        names.append(f"{team}-agent")
    return names


def cmd_serve(args: argparse.Namespace) -> int:
    from services.console.app import serve

    settings = get_settings()
    store = open_store(settings, args.db)
    if args.agents:
        console.print(f"agents seeded from {args.agents}: {seed_agents(store, args.agents)}")
    if args.demo_agents:
        names = seed_demo_agents(store, settings)
        console.print(f"demo agents (password {DEMO_PASSWORD!r}): {', '.join(names)}")
    if not store.agent_count():
        console.print(
            "[yellow]no agents yet: add one with `supportflow console add-agent NAME --team TEAM`[/]"
        )
    host, port = args.host or settings.web_host, args.port or settings.console_port
    console.print(f"review console on http://{host}:{port}/ (database {store.url})")
    serve(settings, store, host, port)
    return 0


def cmd_add_agent(args: argparse.Namespace) -> int:
    from services.console.access import hash_password

    settings = get_settings()
    known = teams(settings)
    if args.team not in known:
        console.print(f"[yellow]team {args.team!r} is not in the routing table ({', '.join(known)})[/]")
    if args.password_env:
        password = os.environ.get(args.password_env, "")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.username}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    store = open_store(settings, args.db)
    store.put_agent(args.username, args.team, password_hash)
    console.print(f"agent {args.username} of team {args.team} saved in {store.url}")
    return 0
