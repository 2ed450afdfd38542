"""Identity first: who is asking, and which tenant's data this case may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from supportflow.events import IntakeSection, Verdict

from .context import MEMBERS, SCOPES
from .sources import CaseSources, Query, Row

ACTIVE = ("active", "invited", "")


@dataclass(frozen=True)
class IdentityKinds:
    """Which identifier kinds name the tenant, a scope inside it and a member (the domain's)."""

    tenant: str = ""
    scope: str | None = None
    member: str | None = None
    noun: str = "account"
    """What the tenant is called in notes ("account", "organization")."""


@dataclass
class Identity:
    status: Literal["verified", "unverified", "mismatch"]
    note: str
    verdict: Verdict
    observed: str
    tenant_id: str | None = None
    requester: Row = field(default_factory=dict)
    subject: Row = field(default_factory=dict)
    scope_id: str | None = None
    facts: dict[str, str] = field(default_factory=dict)
    queries: list[Query] = field(default_factory=list)


async def resolve_identity(
    intake: IntakeSection, sources: CaseSources, kinds: IdentityKinds = IdentityKinds()
) -> Identity:
    """Resolve requester email → member → tenant, then check every identifier the ticket names
    against that tenant. Reads only: members by the requester's email, then the requester's own
    tenant's members and scopes. Identifiers of any other tenant are compared, never read.
    May raise `SourceUnavailable`."""
    noun = kinds.noun
    email = intake.requester_email.strip().lower()
    by_email = Query(MEMBERS, where=(("email", email),))
    queries = [by_email]
    rows = await sources.fetch(by_email)
    named_tenant = intake.identifiers.get(kinds.tenant) if kinds.tenant else None
    if not rows:
        return Identity(
            status="unverified",
            note=f"The requester {email} is not a member of any {noun}; no {noun} data was read.",
            verdict="contradicts",
            observed=f"No member with email {email}.",
            queries=queries,
        )
    rows.sort(key=lambda row: str(row.get("status") or "").lower() not in ACTIVE)
    requester = next((row for row in rows if row.get("tenant_id") == named_tenant), rows[0])
    tenant_id = str(requester["tenant_id"])
    mismatches: list[str] = []
    if named_tenant and named_tenant != tenant_id:
        mismatches.append(f"{noun} {named_tenant}")

    scope_id: str | None = None
    named_scope = intake.identifiers.get(kinds.scope) if kinds.scope else None
    if named_scope and sources.has(SCOPES):
        scope_query = Query(SCOPES, tenant=tenant_id)
        queries.append(scope_query)
        ids = {str(scope.get("scope_id")) for scope in await sources.fetch(scope_query)}
        if named_scope in ids:
            scope_id = named_scope
        else:
            mismatches.append(f"{kinds.scope.removesuffix('_id') if kinds.scope else 'scope'} {named_scope}")

    subject = requester
    named_member = intake.identifiers.get(kinds.member) if kinds.member else None
    named_email = (intake.identifiers.get("user_email") or "").lower()
    if named_member or named_email:
        members_query = Query(MEMBERS, tenant=tenant_id)
        queries.append(members_query)
        members = await sources.fetch(members_query)
        found = next(
            (
                m
                for m in members
                if (named_member and m.get("member_id") == named_member)
                or (named_email and str(m.get("email") or "").lower() == named_email)
            ),
            None,
        )
        if found is not None:
            subject = found
        else:
            mismatches.append(f"user {named_member or named_email}")

    member_id = str(requester.get("member_id"))
    role = str(requester.get("role") or "unknown")
    member_of = f"{email} is {member_id} ({role}) in {noun} {tenant_id}"
    facts = {"tenant_id": tenant_id, "member_id": member_id, "role": role}
    if mismatches:
        named = ", ".join(mismatches)
        return Identity(
            status="mismatch",
            note=(
                f"The ticket names {named}, which the requester does not belong to; nothing was read "
                f"from it. Only the requester's own {noun} {tenant_id} was investigated."
            ),
            verdict="contradicts",
            observed=f"{member_of}; the ticket names {named}, outside the requester's {noun}.",
            tenant_id=tenant_id,
            requester=requester,
            subject=subject,
            scope_id=scope_id,
            facts=facts,
            queries=queries,
        )
    return Identity(
        status="verified",
        note=f"The requester {email} belongs to {noun} {tenant_id}.",
        verdict="supports",
        observed=member_of + ".",
        tenant_id=tenant_id,
        requester=requester,
        subject=subject,
        scope_id=scope_id,
        facts=facts,
        queries=queries,
    )
