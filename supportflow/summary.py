"""Short, readable text for records on the topics: one block per record (`supportflow tail`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from supportflow.events import CaseFile, DeadLetter, TicketReceived

ELLIPSIS = "…"
DEAD_LETTER_BODY_CHARS = 300
"""How much of a dead letter's original bytes `tail` shows (the record keeps up to 512 KiB)."""


def cut(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters; a cut ends with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def summarize(value: BaseModel) -> str:
    if isinstance(value, CaseFile):
        return _case(value)
    if isinstance(value, DeadLetter):
        return _dead_letter(value)
    if isinstance(value, TicketReceived):
        return _ticket(value)
    return _generic(value)


def _case(case: CaseFile) -> str:
    lines = [f"{case.ticket_id}  revision {case.revision}  {cut(case.ticket.subject, 80)}"]
    lines.append(f"  from      {case.ticket.requester.email}")
    if case.intake:
        lines.append(f"  problem   {cut(case.intake.problem_statement, 160)}")
        if case.intake.missing:
            lines.append(f"  missing   {', '.join(case.intake.missing)}")
    if case.investigation:
        verdicts: dict[str, int] = {}
        for evidence in case.investigation.evidence:
            verdicts[evidence.verdict] = verdicts.get(evidence.verdict, 0) + 1
        counted = ", ".join(f"{n} {verdict}" for verdict, n in verdicts.items()) or "none"
        lines.append(f"  evidence  {len(case.investigation.evidence)} ({counted})")
        learned = case.investigation.learned_path
        if learned is not None:
            lines.append(
                f"  learned   path {learned.path_id} from {', '.join(learned.cases) or 'no recorded case'}"
            )
    if case.decision:
        decision = case.decision
        lines.append(
            f"  decision  {decision.decision_class} ({decision.cause or 'no cause'}), confidence "
            f"{decision.confidence:.2f} → {decision.route.queue}"
            + (" (escalated)" if decision.route.escalate else "")
        )
    if case.draft:
        lines.append(f"  reply     {cut(case.draft.customer_reply, 240)}")
    if case.trail:
        lines.append("  stages    " + " → ".join(t.stage for t in case.trail))
    return "\n".join(lines)


def _dead_letter(letter: DeadLetter) -> str:
    key = (letter.key or b"").decode("utf-8", "replace")
    body = letter.original.decode("utf-8", "replace")
    return "\n".join(
        [
            f"dead letter  {key or '(no key)'}  from {letter.service}: {letter.reason}",
            f"  origin    {letter.origin_topic}[{letter.origin_partition}]@{letter.origin_offset}",
            f"  error     {cut(letter.error, 240)}",
            f"  original  {len(letter.original):,} bytes: {cut(body, DEAD_LETTER_BODY_CHARS)}",
        ]
    )


def _ticket(ticket: TicketReceived) -> str:
    return "\n".join(
        [
            f"{ticket.ticket_id}  message {ticket.message_id}  {cut(ticket.subject, 80)}",
            f"  from      {ticket.requester.email} via {ticket.channel}",
            f"  body      {cut(ticket.body, 240)}",
        ]
    )


def _generic(value: BaseModel) -> str:
    fields: dict[str, Any] = value.model_dump(mode="json")
    first, *rest = fields.items()
    lines = [f"{type(value).__name__}  {first[1]}"]
    lines += [f"  {name:<9} {cut(str(item), 160)}" for name, item in rest if item not in (None, [], {}, "")]
    return "\n".join(lines)
