"""What may never reach a customer: secrets, internal hosts, stack traces, other tenants' data.

The check runs on the final customer text (template or LLM rewrite alike); it does not trust
whatever produced the text. `mask_secrets` is the subset that also applies to logs and
internal notes, where hostnames and other accounts may stay but credentials may not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from supportflow.events import CaseFile
from supportflow.masking import REDACTED, apply_rules, mask_secrets_counted

from . import templates as t

REMOVED_TRACE = "[internal details removed]"

_INTERNAL_HOST_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?i)\b[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*"
            r"\.(?:svc\.cluster\.local|cluster\.local|internal|intranet|corp|lan)\b(?::\d+)?"
        ),
        "[internal host]",
    ),
    (re.compile(r"(?i)\bip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?:\.[a-z0-9\-.]+)?\b"), "[internal host]"),
    (
        re.compile(
            r"\b(?:10\.\d{1,3}|192\.168|172\.(?:1[6-9]|2\d|3[01])|127\.\d{1,3})\.\d{1,3}\.\d{1,3}\b(?::\d+)?"
        ),
        "[internal address]",
    ),
)

_TRACE_START = re.compile(r"Traceback \(most recent call last\):")
_TRACE_LINE = re.compile(
    r"^\s*(?:File \"[^\"]+\", line \d+|at [\w$.<>/]+\([^)]*\)|at [\w$.<>]+ \(.*:\d+(?::\d+)?\)"
    r"|\.\.\. \d+ more|Caused by: [\w.$]+)"
)
_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Fault)\b.*$")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def _remove_stack_traces(text: str) -> tuple[str, int]:
    lines = text.split("\n")
    kept: list[str] = []
    blocks = 0
    in_trace = False
    for line in lines:
        start = _TRACE_START.search(line)
        if start is not None and start.start() > 0 and line[: start.start()].strip():
            # a trace pasted mid-line: keep the words before it
            kept.append(line[: start.start()].rstrip() + " " + REMOVED_TRACE)
            blocks += 1
            in_trace = True
            continue
        if start is not None or _TRACE_LINE.match(line):
            if not in_trace:
                blocks += 1
                kept.append(REMOVED_TRACE)
            in_trace = True
            continue
        if in_trace and (line.startswith((" ", "\t")) or _EXCEPTION_LINE.match(line)):
            continue
        in_trace = False
        kept.append(line)
    return "\n".join(kept), blocks


@dataclass(frozen=True)
class TenantScope:
    """What of this case the customer may see: their own identifiers; never the deny list."""

    allowed: frozenset[str] = field(default_factory=frozenset)
    denied: tuple[str, ...] = ()


def _customer_ids(text: str) -> set[str]:
    """The ids in `text` shaped as the domain's customer ids (tenant, scope, member)."""
    return {match.group(0) for pattern in t.active().CUSTOMER_IDS for match in pattern.finditer(text)}


def _identifier_tokens(text: str) -> set[str]:
    return _customer_ids(text) | {e.lower() for e in _EMAIL.findall(text)}


# Internal facts under these keys name people, companies or machines: never shown to a customer.
_DENY_FACT_KEYS = ("name", "email", "tenant", "host", "customer", "company")


def tenant_scope(case: CaseFile) -> TenantScope:
    """The per-case allow and deny lists.

    The requester's own: their email, the verified account and user, and the intake's identifiers
    unless identity was a mismatch (then they name someone else's account). Denied: intake
    identifiers that investigation found are not the requester's account, and the identifiers,
    names and observations of evidence marked internal — unless they are the requester's own.
    Identifiers stated by customer-safe evidence are allowed unless denied: the deny list wins.
    """
    own: set[str] = {case.ticket.requester.email.lower()}
    denied: set[str] = set()
    intake, investigation = case.intake, case.investigation
    if intake is not None:
        own.add(intake.requester_email.lower())
    verified_account = investigation.account_id if investigation else None
    mismatch = investigation is not None and investigation.identity_status == "mismatch"
    if investigation is not None:
        own.update(v for v in (investigation.account_id, investigation.user_id) if v)
    if intake is not None:
        # identity compares every tenant, scope and member id the ticket names with the verified
        # requester's; a mismatch is the ticket naming someone else's
        foreign = mismatch and verified_account is not None
        owned = t.active().OWNED_KINDS
        for key, value in intake.identifiers.items():
            if not value:
                continue
            if foreign and (key in owned or "@" in value):
                denied.add(value)
            else:
                own.add(value.lower() if "@" in value else value)
        # the intake's questions are its own wording; their example ("it looks like ab_4p7q2r") is
        # no tenant's identifier, and "[redacted]" in its place read as if we hid something
        own.update(_customer_ids(" ".join(intake.questions)))
    stated: set[str] = set()
    for evidence in investigation.evidence if investigation is not None else []:
        if evidence.customer_safe:
            for text in (evidence.observed, *evidence.facts.values()):
                stated |= _identifier_tokens(text)
            continue
        for text in (evidence.observed, *evidence.facts.values()):
            denied |= _identifier_tokens(text)
        for key, value in evidence.facts.items():
            if any(part in key.lower() for part in _DENY_FACT_KEYS) and len(value) >= 4:
                denied.add(value)
        if len(evidence.observed) >= 24:
            denied.add(evidence.observed)
    denied = {d for d in denied if d not in own and d.lower() not in own}
    allowed = own | (stated - denied)
    # Longest first, so a full observation is masked before an identifier inside it.
    return TenantScope(frozenset(allowed), tuple(sorted(denied, key=lambda s: (-len(s), s))))


def redact(text: str, scope: TenantScope) -> tuple[str, int]:
    """Make `text` safe for the customer; return it with the number of redactions made."""
    text, count = mask_secrets_counted(text)
    text, traces = _remove_stack_traces(text)
    count += traces
    text, hosts = apply_rules(text, _INTERNAL_HOST_RULES)
    count += hosts
    for value in scope.denied:
        pattern = re.compile(re.escape(value), re.IGNORECASE)
        text, n = pattern.subn(REDACTED, text)
        count += n

    def foreign_identifier(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group(0)
        if token in scope.allowed or token.lower() in scope.allowed:
            return token
        count += 1
        return REDACTED

    for pattern in t.active().CUSTOMER_IDS:
        text = pattern.sub(foreign_identifier, text)
    text = _EMAIL.sub(foreign_identifier, text)
    return text, count


def redact_for_customer(text: str, case: CaseFile) -> tuple[str, int]:
    return redact(text, tenant_scope(case))
