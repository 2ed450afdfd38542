"""The review console's database: agents, drafted cases, incident groups and the actions taken.

SQLite by default, PostgreSQL by URL (SQLAlchemy); the schema is created and evolved by the
Alembic migrations beside this file (`migrate`). Every write is idempotent:
`upsert_case` keeps the newest revision of a ticket (a replayed record changes nothing),
`upsert_incident` the largest state of a group, and `record_action` inserts an action once
per deterministic event id (a second insert of the same id returns the first).
Calls block on the database: the web app runs them in a thread pool.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    create_engine,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from supportflow.events import CaseFile, CaseResolved, IncidentGroup
from supportflow.settings import load_domain_for

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
OPEN = "open"
AWAITING_CUSTOMER = "awaiting_customer"
RESOLVED = "resolved"


def naive_utc(moment: datetime) -> datetime:
    """Times are stored as naive UTC: SQLite keeps no offset, PostgreSQL gets the same values."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class Base(DeclarativeBase):
    pass


class AgentRow(Base):
    __tablename__ = "agents"
    username: Mapped[str] = mapped_column(String(128), primary_key=True)
    team: Mapped[str] = mapped_column(String(128), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CaseRow(Base):
    """One ticket's newest drafted case; the route columns are where it stands now (an agent's
    reroute moves it), the decision as drafted stays in `case_json`."""

    __tablename__ = "cases"
    ticket_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)
    account_id: Mapped[str | None] = mapped_column(String(256), index=True)
    requester_email: Mapped[str] = mapped_column(String(512))
    decision_class: Mapped[str] = mapped_column(String(64))
    cause: Mapped[str | None] = mapped_column(String(128))
    confidence: Mapped[float] = mapped_column(Float)
    queue: Mapped[str] = mapped_column(String(128))
    team: Mapped[str] = mapped_column(String(128))
    priority: Mapped[str] = mapped_column(String(32))
    escalate: Mapped[bool] = mapped_column(Boolean)
    incident_id: Mapped[str | None] = mapped_column(String(256))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    case_json: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_cases_team_status_queue_received", "team", "status", "queue", "received_at"),)


class IncidentRow(Base):
    __tablename__ = "incidents"
    incident_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    group_json: Mapped[str] = mapped_column(Text)


class ActionRow(Base):
    """An agent's action and the CaseResolved it publishes: inserted, then sent, then marked."""

    __tablename__ = "actions"
    event_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(256), ForeignKey("cases.ticket_id"), index=True)
    case_revision: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64))
    agent: Mapped[str] = mapped_column(String(128))
    team: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    resolved_json: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class QueueSummary:
    """One queue of a team: open cases, the oldest one's receipt, and how they split."""

    queue: str
    count: int
    oldest: datetime
    mean_confidence: float
    escalated: int
    by_class: dict[str, int]


@dataclass(frozen=True)
class CaseSummary:
    ticket_id: str
    revision: int
    status: str
    subject: str
    account_id: str | None
    decision_class: str
    confidence: float
    queue: str
    team: str
    escalate: bool
    received_at: datetime


@dataclass(frozen=True)
class StoredCase:
    summary: CaseSummary
    case: CaseFile
    cause: str | None


@dataclass(frozen=True)
class StoredAction:
    event_id: str
    action: str
    agent: str
    created_at: datetime
    published: bool
    resolved: CaseResolved


def _summary(row: CaseRow) -> CaseSummary:
    return CaseSummary(
        ticket_id=row.ticket_id,
        revision=row.revision,
        status=row.status,
        subject=row.subject,
        account_id=row.account_id,
        decision_class=row.decision_class,
        confidence=row.confidence,
        queue=row.queue,
        team=row.team,
        escalate=row.escalate,
        received_at=aware(row.received_at),
    )


def _action(row: ActionRow) -> StoredAction:
    return StoredAction(
        event_id=row.event_id,
        action=row.action,
        agent=row.agent,
        created_at=aware(row.created_at),
        published=row.published_at is not None,
        resolved=CaseResolved.model_validate_json(row.resolved_json),
    )


def _case_columns(case: CaseFile) -> dict[str, Any] | None:
    """The columns of a drafted case, or None for a case without a decision or a draft."""
    decision = case.decision
    if decision is None or case.draft is None:
        return None
    investigation = case.investigation
    # the verified tenant, else the tenant id the ticket states (the domain's tenant-role kind)
    tenant_kind = load_domain_for().vocabulary.kind_with_role("tenant")
    account = (investigation.account_id if investigation else None) or (
        case.intake.identifiers.get(tenant_kind) if case.intake and tenant_kind else None
    )
    return {
        "subject": case.ticket.subject[:2000],
        "account_id": account,
        "requester_email": case.ticket.requester.email,
        "decision_class": decision.decision_class,
        "cause": decision.cause,
        "confidence": decision.confidence,
        "queue": decision.route.queue,
        "team": decision.route.team,
        "priority": decision.route.priority,
        "escalate": decision.route.escalate,
        "incident_id": decision.incident_id,
        "received_at": naive_utc(case.ticket.received_at),
        "case_json": case.model_dump_json(),
    }


def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema (Alembic `upgrade head`)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


class CaseStore:
    """The console's database behind plain methods; safe to share between threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        options = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=options)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()

    # --- agents -------------------------------------------------------------------------

    def put_agent(self, username: str, team: str, password_hash: str) -> None:
        with self.session() as session:
            row = session.get(AgentRow, username)
            if row is None:
                session.add(
                    AgentRow(
                        username=username,
                        team=team,
                        password_hash=password_hash,
                        created_at=naive_utc(datetime.now(UTC)),
                    )
                )
            else:
                row.team, row.password_hash = team, password_hash

    def agent(self, username: str) -> tuple[str, str] | None:
        """(team, password hash) of an agent, or None."""
        with self.session() as session:
            row = session.get(AgentRow, username)
            return (row.team, row.password_hash) if row else None

    def agent_count(self) -> int:
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(AgentRow)) or 0)

    # --- ingestion ----------------------------------------------------------------------

    def upsert_case(self, case: CaseFile) -> bool:
        """Keep `case` if it is newer than what is stored (a replay or a late older revision
        changes nothing); a newer revision (the customer replied) reopens the case. Returns
        whether the row changed."""
        return self.upsert_cases([case]) == 1

    def upsert_cases(self, cases: Sequence[CaseFile]) -> int:
        """`upsert_case` for many cases in one transaction; returns how many rows changed."""
        changed = 0
        now = naive_utc(datetime.now(UTC))
        with self.session() as session:
            for case in cases:
                values = _case_columns(case)
                if values is None:
                    continue
                values["updated_at"] = now
                row = session.get(CaseRow, case.ticket_id, with_for_update=True)
                if row is None:
                    session.add(
                        CaseRow(ticket_id=case.ticket_id, revision=case.revision, status=OPEN, **values)
                    )
                    session.flush()
                elif case.revision > row.revision:
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.revision, row.status = case.revision, OPEN
                else:
                    continue
                changed += 1
        return changed

    def upsert_incident(self, group: IncidentGroup) -> bool:
        with self.session() as session:
            row = session.get(IncidentRow, group.incident_id, with_for_update=True)
            updated = naive_utc(group.updated_at)
            if row is None:
                session.add(
                    IncidentRow(
                        incident_id=group.incident_id,
                        size=group.size,
                        updated_at=updated,
                        group_json=group.model_dump_json(),
                    )
                )
                return True
            if (group.size, updated) <= (row.size, row.updated_at):
                return False
            row.size, row.updated_at, row.group_json = group.size, updated, group.model_dump_json()
            return True

    def incident(self, incident_id: str) -> IncidentGroup | None:
        with self.session() as session:
            row = session.get(IncidentRow, incident_id)
            return IncidentGroup.model_validate_json(row.group_json) if row else None

    # --- pages --------------------------------------------------------------------------

    def queues(self, team: str) -> list[QueueSummary]:
        """The team's queues with their open cases, oldest first."""
        with self.session() as session:
            rows = session.execute(
                select(
                    CaseRow.queue,
                    CaseRow.decision_class,
                    func.count(),
                    func.min(CaseRow.received_at),
                    func.sum(CaseRow.confidence),
                    func.sum(case((CaseRow.escalate, 1), else_=0)),
                )
                .where(CaseRow.team == team, CaseRow.status == OPEN)
                .group_by(CaseRow.queue, CaseRow.decision_class)
            ).all()
        grouped: dict[str, list[tuple[str, int, datetime, float, int]]] = {}
        for queue, decision_class, count, oldest, confidence_sum, escalated in rows:
            grouped.setdefault(queue, []).append(
                (decision_class, int(count), oldest, float(confidence_sum or 0), int(escalated or 0))
            )
        summaries = []
        for queue, parts in grouped.items():
            count = sum(p[1] for p in parts)
            summaries.append(
                QueueSummary(
                    queue=queue,
                    count=count,
                    oldest=aware(min(p[2] for p in parts)),
                    mean_confidence=sum(p[3] for p in parts) / count,
                    escalated=sum(p[4] for p in parts),
                    by_class={p[0]: p[1] for p in sorted(parts, key=lambda p: -p[1])},
                )
            )
        return sorted(summaries, key=lambda s: s.oldest)

    def queue_cases(self, team: str, queue: str, limit: int = 100, offset: int = 0) -> list[CaseSummary]:
        """Open cases of one of the team's queues, oldest first."""
        with self.session() as session:
            rows = session.scalars(
                select(CaseRow)
                .where(CaseRow.team == team, CaseRow.status == OPEN, CaseRow.queue == queue)
                .order_by(CaseRow.received_at, CaseRow.ticket_id)
                .limit(limit)
                .offset(offset)
            ).all()
            return [_summary(row) for row in rows]

    def search(self, team: str, text: str, limit: int = 50) -> list[CaseSummary]:
        """The team's cases (any status) whose ticket id or account id is `text` (or starts so)."""
        text = text.strip()
        if not text:
            return []
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self.session() as session:
            rows = session.scalars(
                select(CaseRow)
                .where(
                    CaseRow.team == team,
                    or_(
                        CaseRow.ticket_id == text,
                        CaseRow.account_id == text,
                        CaseRow.ticket_id.like(f"{escaped}%", escape="\\"),
                    ),
                )
                .order_by(CaseRow.received_at.desc())
                .limit(limit)
            ).all()
            return [_summary(row) for row in rows]

    def case(self, ticket_id: str) -> StoredCase | None:
        with self.session() as session:
            row = session.get(CaseRow, ticket_id)
            if row is None:
                return None
            return StoredCase(_summary(row), CaseFile.model_validate_json(row.case_json), row.cause)

    def actions(self, ticket_id: str) -> list[StoredAction]:
        with self.session() as session:
            rows = session.scalars(
                select(ActionRow).where(ActionRow.ticket_id == ticket_id).order_by(ActionRow.created_at)
            ).all()
            return [_action(row) for row in rows]

    # --- actions ------------------------------------------------------------------------

    def record_action(
        self, resolved: CaseResolved, *, status: str, route: tuple[str, str, str | None, str] | None = None
    ) -> tuple[StoredAction, bool]:
        """Insert the action behind `resolved` once (by its event id) and move the case: its new
        status, and for a reroute its new (queue, team, cause, class). Returns the stored action
        and whether this call inserted it; a repeat returns the first and changes nothing."""
        assert resolved.event_id and resolved.action and resolved.reviewed_by and resolved.team
        try:
            with self.session() as session:
                existing = session.get(ActionRow, resolved.event_id)
                if existing is not None:
                    return _action(existing), False
                session.add(
                    ActionRow(
                        event_id=resolved.event_id,
                        ticket_id=resolved.ticket_id,
                        case_revision=resolved.case_revision,
                        action=resolved.action,
                        agent=resolved.reviewed_by,
                        team=resolved.team,
                        created_at=naive_utc(resolved.resolved_at),
                        published_at=None,
                        resolved_json=resolved.model_dump_json(),
                    )
                )
                row = session.get(CaseRow, resolved.ticket_id, with_for_update=True)
                if row is not None and row.revision == resolved.case_revision:
                    row.status = status
                    if route is not None:
                        row.queue, row.team, row.cause, row.decision_class = route
                    row.updated_at = naive_utc(datetime.now(UTC))
        except IntegrityError:  # the same event id inserted meanwhile by another request
            with self.session() as session:
                existing = session.get(ActionRow, resolved.event_id)
                assert existing is not None
                return _action(existing), False
        return self.stored_action(resolved.event_id), True

    def stored_action(self, event_id: str) -> StoredAction:
        with self.session() as session:
            row = session.get(ActionRow, event_id)
            assert row is not None
            return _action(row)

    def mark_published(self, event_id: str) -> None:
        with self.session() as session:
            row = session.get(ActionRow, event_id)
            if row is not None and row.published_at is None:
                row.published_at = naive_utc(datetime.now(UTC))

    def unpublished(self, older_than: datetime, limit: int = 100) -> Sequence[StoredAction]:
        """Actions recorded before `older_than` whose CaseResolved was not acknowledged yet."""
        with self.session() as session:
            rows = session.scalars(
                select(ActionRow)
                .where(ActionRow.published_at.is_(None), ActionRow.created_at < naive_utc(older_than))
                .order_by(ActionRow.created_at)
                .limit(limit)
            ).all()
            return [_action(row) for row in rows]
