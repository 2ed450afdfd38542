"""`supportflow playbooks suggest`: learned investigation paths that recur, as a playbook proposal.

Reads every learned path from the compacted `support.paths` topic and prints, for each one with
at least `--min-support` resolved cases, a reviewable YAML proposal shaped like the domain's own
files: the hypothesis (its checks, confirm rule, class, what the checks were run for, signals to
review), the playbooks it belongs in, its route, and the approved answer as its reply text, with
the supporting case ids as comments. Pasted into the folder, `supportflow domain check` accepts
it; nothing is written by this command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from supportflow.answers import PLACEHOLDER, REQUESTER, TENANT
from supportflow.domain.loader import Domain, load_domain
from supportflow.events import LearnedPath
from supportflow.similarity import terms

DEFAULT_MIN_SUPPORT = 3
PRIOR = 0.05  # a new hypothesis starts with the playbooks' default prior; patterns adjust it
KEYWORDS = 8
SIGNOFF_WORDS = 3


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(name, help="turn learned investigation paths into playbook proposals")
    actions = parser.add_subparsers(required=True, metavar="ACTION")
    suggest = actions.add_parser(
        "suggest", help="print a YAML proposal for the playbooks from learned paths with enough support"
    )
    suggest.add_argument(
        "--min-support", type=int, default=DEFAULT_MIN_SUPPORT, help="resolved cases a path needs (default 3)"
    )
    suggest.add_argument(
        "--domain", type=Path, default=None, help="the domain folder (else SUPPORTFLOW_DOMAIN)"
    )
    suggest.add_argument("--idle", type=float, default=3.0, help="stop reading after this many quiet seconds")
    suggest.set_defaults(handler=cmd_suggest)


def cmd_suggest(args: argparse.Namespace) -> int:
    from supportflow.admin import read_topic
    from supportflow.codec import DecodeError, decode
    from supportflow.settings import get_settings
    from supportflow.topics import LEARNED_PATHS

    settings = get_settings()
    domain = load_domain(args.domain or settings.domain, env={"SUPPORTFLOW_WORLD_DB": "sqlite:///:memory:"})

    async def newest() -> dict[str, LearnedPath]:
        found: dict[str, LearnedPath] = {}
        async for record in read_topic(settings, settings.topic(LEARNED_PATHS), idle_timeout=args.idle):
            if record.value is None:
                found.pop(record.key.decode() if record.key else "", None)
                continue
            try:
                path = decode(LearnedPath, record.value, record.headers)
            except DecodeError:
                continue
            found[path.path_id] = path
        return found

    paths = asyncio.run(newest())
    print(proposal(list(paths.values()), domain, args.min_support), end="")
    return 0


def proposal(paths: Sequence[LearnedPath], domain: Domain, min_support: int) -> str:
    """The proposal text (YAML with comments) for the paths with at least `min_support` cases."""
    kept = sorted(
        (p for p in paths if p.support >= min_support), key=lambda p: (-p.support, p.cause, p.path_id)
    )
    header = (
        f"# Proposal from {len(kept)} learned investigation path(s) with at least {min_support} resolved "
        f"cases (supportflow playbooks suggest), for domain {domain.name}.\n"
        "# Review before pasting: each section names the file and key it goes under.\n"
    )
    if not kept:
        return header + "# Nothing to propose yet.\n"
    known = set(domain.playbooks.get("hypotheses") or {})
    hypotheses: list[str] = []
    memberships: dict[str, list[str]] = {}
    routes: list[str] = []
    replies: list[str] = []
    labels: list[str] = []
    seen: set[str] = set()
    for path in kept:
        if path.cause in seen:
            continue  # a cause proved two ways: the best-supported way first, the other by review
        seen.add(path.cause)
        cases = f"# learned path {path.path_id}, support {path.support}: cases {', '.join(path.ticket_ids)}\n"
        note = (
            "# the playbooks already have this cause: compare before replacing\n"
            if path.cause in known
            else ""
        )
        hypotheses.append(cases + note + _dump({path.cause: hypothesis(path)}))
        playbook = _playbook_for(domain, path.problem_type)
        if playbook is not None:
            memberships.setdefault(playbook, []).append(path.cause)
        routes.append(cases + _dump({path.cause: route(path, domain)}))
        reply = answer_text(path.answer, domain.product.tenant.identifier)
        labels.append(_dump({path.cause: {"en": path.title or path.cause}}))
        if reply:
            replies.append(cases + _dump({path.cause: {"en": reply}}))
    playbooks = domain.playbooks.get("playbooks") or {}
    membership = {
        name: {
            "hypotheses": list(dict.fromkeys([*(playbooks.get(name, {}).get("hypotheses") or []), *causes]))
        }
        for name, causes in memberships.items()
    }
    sections = [
        header,
        "# --- playbooks file: under `hypotheses:` ---\nhypotheses:\n" + _indent("\n".join(hypotheses)),
        "# --- playbooks file: these playbooks' `hypotheses:` lists, with the new causes added ---\n"
        + "playbooks:\n"
        + _indent(_dump(membership)),
        "# --- routing: under `causes:` ---\nrouting:\n  causes:\n" + _indent("\n".join(routes), 4),
    ]
    sections.append(
        "# --- replies file: under `causes:` (how a reply names the cause) ---\ncauses:\n"
        + _indent("".join(labels))
    )
    if replies:
        sections.append(
            "# --- replies file: under `next:` (the approved answer) ---\nnext:\n"
            + _indent("\n".join(replies))
        )
    return "\n".join(sections)


def hypothesis(path: LearnedPath) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for check in path.checks:
        for key, value in check.params.items():
            try:
                attributes[key] = json.loads(value)
            except ValueError:
                attributes[key] = value
    spec: dict[str, Any] = {
        "title": path.title[:1].upper() + path.title[1:] if path.title else path.cause,
        "class": path.decision_class,
        "prior": PRIOR,
        "confirm": "all",
        "checks": list(dict.fromkeys(c.check for c in path.checks if c.verdict == "supports")),
    }
    if attributes:
        spec["attributes"] = attributes
    signals: dict[str, Any] = {}
    code, status = path.features.get("error_code"), path.features.get("http_status")
    if code:
        signals["error_codes"] = [code]
    if status and status.isdigit():
        signals["statuses"] = [int(status)]
    words = [t for t in terms(path.signature) if not t.startswith(("surface_", "http_"))]
    signals["keywords"] = list(dict.fromkeys(words))[:KEYWORDS]  # from the cases' words: review
    spec["signals"] = signals
    return spec


def route(path: LearnedPath, domain: Domain) -> dict[str, Any]:
    base = domain.routing.classes[path.decision_class].model_dump()
    if path.route_queue:
        base["queue"] = path.route_queue
    return base


def answer_text(answer: str | None, tenant_field: str) -> str | None:
    """The approved answer as reply text: the greeting (addressed to the first requester) and
    sign-off lines dropped, identifiers as `{field}` facts of the reply templates (the tenant
    under the domain's name for its identifier)."""
    if not answer:
        return None
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    body = [line for line in lines if "{{" + REQUESTER + "}}" not in line]
    while len(body) > 1 and len(body[-1].split()) <= SIGNOFF_WORDS:
        body.pop()  # the sign-off and the agent's name
    text = " ".join(body)
    named = {TENANT: tenant_field}
    # `{{check:fact}}` is the reply templates' `{fact}` (the facts of the case's evidence)
    return (
        PLACEHOLDER.sub(lambda m: "{" + named.get(m.group(1), m.group(1).rsplit(":", 1)[-1]) + "}", text)
        or None
    )


def _playbook_for(domain: Domain, problem_type: str | None) -> str | None:
    key = (problem_type or "").strip().lower().replace("-", "_").replace(" ", "_")
    for name, spec in (domain.playbooks.get("playbooks") or {}).items():
        if key and (key == name or key in [str(t).lower() for t in spec.get("problem_types") or ()]):
            return str(name)
    # without an explicit catch-all playbook, every hypothesis is in the implicit one
    return "general" if "general" in (domain.playbooks.get("playbooks") or {}) else None


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100)


def _indent(text: str, spaces: int = 2) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))
