"""Reading one ticket with an example product's vocabulary (the intake tests' shared helper)."""

from __future__ import annotations

from datetime import UTC, datetime

from domains import HERE as DOMAINS
from services.intake.normalize import normalize
from services.intake.vocabulary import IntakeVocabulary
from supportflow.domain import load_domain
from supportflow.events import IntakeSection, Requester, TicketReceived

RECEIVED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
LUMEN = IntakeVocabulary.from_domain(load_domain(DOMAINS / "lumen"))
KESTREL = IntakeVocabulary.from_domain(load_domain(DOMAINS / "kestrel"))


def read(
    vocabulary: IntakeVocabulary, body: str, subject: str = "Question", requester: str = "ana@acme.example"
) -> IntakeSection:
    ticket = TicketReceived(
        ticket_id="T-1",
        message_id="M-1",
        received_at=RECEIVED,
        subject=subject,
        body=body,
        requester=Requester(email=requester, name="Ana Ruiz"),
    )
    return normalize(ticket, vocabulary=vocabulary)
