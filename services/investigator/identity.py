"""Identity first: who is asking, and which account's data this case may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from supportflow.events import IntakeSection, Verdict

from .sources import CaseSources, Query, Row

ACTIVE = ("active", "invited", "")


@dataclass
class Identity:
    status: Literal["verified", "unverified", "mismatch"]
    note: str
    verdict: Verdict
    observed: str
    account_id: str | None = None
    requester: Row = field(default_factory=dict)
    subject: Row = field(default_factory=dict)
    workspace_id: str | None = None
    facts: dict[str, str] = field(default_factory=dict)
    queries: list[Query] = field(default_factory=list)


async def resolve_identity(intake: IntakeSection, sources: CaseSources) -> Identity:
    """Resolve requester email → user → account, then check every identifier the ticket names
    against that account. Reads only: users by the requester's email, then the requester's own
    account's users and workspaces. Identifiers of any other account are compared, never read.
    May raise `SourceUnavailable`."""
    email = intake.requester_email.strip().lower()
    by_email = Query("users", where=(("email", email),))
    queries = [by_email]
    rows = await sources.fetch(by_email)
    named_account = intake.identifiers.get("account_id")
    if not rows:
        return Identity(
            status="unverified",
            note=f"The requester {email} is not a user of any account; no account data was read.",
            verdict="contradicts",
            observed=f"No user with email {email}.",
            queries=queries,
        )
    rows.sort(key=lambda row: str(row.get("status") or "").lower() not in ACTIVE)
    requester = next((row for row in rows if row.get("account_id") == named_account), rows[0])
    account_id = str(requester["account_id"])
    mismatches: list[str] = []
    if named_account and named_account != account_id:
        mismatches.append(f"account {named_account}")

    workspace_id: str | None = None
    named_ws = intake.identifiers.get("workspace_id")
    if named_ws:
        ws_query = Query("workspaces", account_id=account_id)
        queries.append(ws_query)
        ids = {str(ws.get("workspace_id")) for ws in await sources.fetch(ws_query)}
        if named_ws in ids:
            workspace_id = named_ws
        else:
            mismatches.append(f"workspace {named_ws}")

    subject = requester
    named_user = intake.identifiers.get("user_id")
    named_email = (intake.identifiers.get("user_email") or "").lower()
    if named_user or named_email:
        users_query = Query("users", account_id=account_id)
        queries.append(users_query)
        members = await sources.fetch(users_query)
        found = next(
            (
                u
                for u in members
                if (named_user and u.get("user_id") == named_user)
                or (named_email and str(u.get("email") or "").lower() == named_email)
            ),
            None,
        )
        if found is not None:
            subject = found
        else:
            mismatches.append(f"user {named_user or named_email}")

    user_id = str(requester.get("user_id"))
    role = str(requester.get("role") or "unknown")
    member_of = f"{email} is {user_id} ({role}) in account {account_id}"
    facts = {"account_id": account_id, "user_id": user_id, "role": role}
    if mismatches:
        named = ", ".join(mismatches)
        return Identity(
            status="mismatch",
            note=(
                f"The ticket names {named}, which the requester does not belong to; nothing was read "
                f"from it. Only the requester's own account {account_id} was investigated."
            ),
            verdict="contradicts",
            observed=f"{member_of}; the ticket names {named}, outside the requester's account.",
            account_id=account_id,
            requester=requester,
            subject=subject,
            workspace_id=workspace_id,
            facts=facts,
            queries=queries,
        )
    return Identity(
        status="verified",
        note=f"The requester {email} belongs to account {account_id}.",
        verdict="supports",
        observed=member_of + ".",
        account_id=account_id,
        requester=requester,
        subject=subject,
        workspace_id=workspace_id,
        facts=facts,
        queries=queries,
    )
