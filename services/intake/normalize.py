"""Intake normalization: a ticket thread in, the case file's `intake` section out.

`normalize()` is pure: the same messages give the same section, nothing is read from the
clock, the network or disk. Each message is read on its own (relative times resolve against
that message's received time), then the messages are merged oldest first so that a later
reply fills what an earlier message lacked and wins where both give a single value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.intake.cleaning import (
    LOG_STAMP,
    MAX_LOG_EXCERPTS,
    clean_message,
    fold,
    redact_secrets,
    without_history,
)
from services.intake.extract import (
    blank_spans,
    denies_an_error,
    extract_environment,
    extract_error_signatures,
    extract_identifiers,
    injection_spans,
    mentioned_emails,
    parse_user_agent,
    scope_name,
    unverified_claim,
)
from services.intake.language import detect_language, language_of, question_for
from services.intake.narrative import asks_what_is_possible, extract_narrative, problem_type
from services.intake.patterns import Gated
from services.intake.timing import Timing, default_zone, message_time, resolve_timing, world_cities
from services.intake.vocabulary import IntakeVocabulary, default_vocabulary
from supportflow.events import Environment, ErrorSignature, IntakeSection, Requester, TicketReceived

# What investigation needs beyond the domain's required identifiers, in the order asked.
MISSING_ORDER = ("time_window", "error_details", "action")
_ERROR_DETAIL_KINDS = frozenset({"error_code", "http_status", "exception", "message"})
_HARD_ERROR_KINDS = frozenset({"error_code", "http_status", "exception"})
_SUBJECT_PREFIX = re.compile(
    r"^(?:\s*(?:re|aw|wg|fw|fwd|tr|rv|sv|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
# "Different problem this time", "ein anderes Problem", "autre souci": a reply about something new
_ANOTHER_PROBLEM = re.compile(
    r"\b(?:(?:a |another |different |new |separate |other )(?:problem|issue|question|thing)|"
    r"(?:different|new|separate) (?:problem|issue)|anderes? (?:problem|thema|anliegen)|neues problem|"
    r"(?:autre|nouveau|nouvel) (?:problème|souci|sujet)|(?:otro|nuevo|distinto) (?:problema|asunto|tema)|"
    r"(?:outro|novo) (?:problema|assunto)|(?:altro|nuovo|diverso) (?:problema|argomento)|"
    r"(?:ander|nieuw) (?:probleem|onderwerp)|andere kwestie)\b"
)
# "same project", "gleiches Projekt wie unten", "même espace", "mismo proyecto": the scope the
# quoted conversation names
_SAME_AS_BEFORE = Gated(
    re.compile(
        r"\b(?:same|gleiche[rnms]?|selbe[rnms]?|même|mismo|misma|mesmo|mesma|stesso|stessa|zelfde|dezelfde)\s+\w+"
        r"(?:\s+(?:and|und|et|y|e|en)\s+\w+)?"
    )
)
_MAX_STATEMENT_PART = 140


@dataclass
class _MessageFacts:
    """What one message says, before merging."""

    received_at: datetime
    language_text: str = ""
    subject: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    scope_name: str | None = None
    environment: Environment = field(default_factory=Environment)
    action: str | None = None
    expected: str | None = None
    actual: str | None = None
    steps: str | None = None
    timing: Timing | None = None
    signatures: list[ErrorSignature] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    injection: bool = False
    problem_text: str = ""
    language: str = "en"


_AUTHOR_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_STAMPED_LINE = re.compile(r"\s*\[?" + LOG_STAMP)


def _customer_texts(
    ticket: TicketReceived, vocabulary: IntakeVocabulary
) -> list[tuple[str, datetime, str | None]]:
    """The ticket body plus earlier thread messages from the customer's side (oldest first).

    A thread message by someone else at the requester's organisation (a forwarded report of the
    affected colleague) is read too, and its author is returned as a possible affected user.
    """
    requester = ticket.requester.email.lower()
    domain = requester.rsplit("@", 1)[-1]
    texts: list[tuple[str, datetime, str | None]] = []
    for message in ticket.thread:
        if not message.body.strip() or message.body == ticket.body:
            continue
        author = message.author.lower()
        found = _AUTHOR_EMAIL.search(author)
        address = found.group(0) if found else ""
        if requester in author:
            texts.append((message.body, message.sent_at or ticket.received_at, None))
        elif address and not vocabulary.vendor_email.search(address) and address.endswith("@" + domain):
            texts.append((message.body, message.sent_at or ticket.received_at, address))
    texts.append((ticket.body, ticket.received_at, None))
    return texts


def _read_message(
    ticket: TicketReceived,
    body: str,
    received_at: datetime,
    subject: str,
    vocabulary: IntakeVocabulary,
    author: str | None = None,
) -> _MessageFacts:
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    visible = [kind.pattern for kind in vocabulary.key_prefixes]
    subject = redact_secrets(subject[:1000], vocabulary.secrets, visible)
    facts = _MessageFacts(received_at=received_at, subject=subject)
    cleaned = clean_message(body, vocabulary.secrets, visible)
    raw_subject = _SUBJECT_PREFIX.sub("", subject).strip()
    if raw_subject != subject.strip() and _ANOTHER_PROBLEM.search(fold(cleaned.own or cleaned.prose)):
        raw_subject = ""  # a reply's subject names the thread's old problem, not this other one
    full = f"{raw_subject}\n{cleaned.prose}" if raw_subject else cleaned.prose
    logs_text = "\n".join(cleaned.logs)
    # pasted "log" lines can carry injected text too: find spans over prose and logs together
    everything = f"{full}\n\n{logs_text}" if logs_text else full  # a blank line ends a role paragraph
    all_spans = injection_spans(everything, vocabulary)
    facts.injection = bool(all_spans)
    safe_all = blank_spans(everything, all_spans) if all_spans else everything
    safe = safe_all[: len(full)]
    if logs_text:
        logs_text = safe_all[len(full) + 2 :]
    safe_subject, safe_prose = safe[: len(raw_subject)], safe[len(raw_subject) + 1 :] if raw_subject else safe
    facts.language_text = safe
    found = extract_identifiers(
        everything,
        all_spans,
        ticket.requester.email,
        [*cleaned.forwarded_from, *([author] if author else [])],
        vocabulary,
        cleaned.prose[len(cleaned.own) :] if cleaned.forwarded_from else "",
    )
    facts.identifiers, facts.foreign = found.own, found.foreign
    # the tenant does not change between the messages of one conversation: when the customer's
    # reply names neither it nor a scope, the earlier message quoted below still says which it
    # is; and the scope too when the reply says it is the same one ("same project as below")
    tenant, scope = vocabulary.tenant_kind, vocabulary.scope_kind
    if tenant not in facts.identifiers and (not scope or scope not in facts.identifiers):
        same = _SAME_AS_BEFORE.search(fold(cleaned.own or cleaned.prose))
        # ... and a resource said to be the same too ("Same report and project as before")
        same_things = set(re.findall(r"\w+", same.group(0))) if same else set()
        kinds = [
            tenant,
            *([scope] if scope and same else []),
            *(kind for kind in vocabulary.resource_kinds if kind.removesuffix("_id") in same_things),
        ]
        wanted = [
            kind
            for kind in vocabulary.identifiers
            if kind.name in kinds and (not kind.gate or any(gate in body.lower() for gate in kind.gate))
        ]
        if wanted:
            quoted = redact_secrets(body, vocabulary.secrets, visible)
            earlier = extract_identifiers(
                quoted, injection_spans(quoted, vocabulary), ticket.requester.email, [], vocabulary
            )
            for kind in wanted:
                if kind.name in earlier.own and earlier.own[kind.name] not in facts.foreign:
                    facts.identifiers[kind.name] = earlier.own[kind.name]
    unverified_claim(ticket.requester.email, safe, found, vocabulary)
    facts.emails = mentioned_emails(f"{subject}\n{body}", vocabulary)
    facts.scope_name = scope_name(safe, vocabulary)
    facts.signatures = extract_error_signatures(safe + "\n" + logs_text, [], vocabulary)
    facts.logs = cleaned.logs
    narrative = extract_narrative(safe_subject, safe_prose, vocabulary)
    facts.action, facts.expected, facts.actual, facts.steps = (
        narrative.action,
        narrative.expected,
        narrative.actual
        if "actual" in narrative.templated
        else _what_happened(narrative.actual, facts.signatures),
        narrative.steps,
    )
    env_text = safe if not narrative.user_agent else f"User Agent: {narrative.user_agent}\n{safe}"
    facts.environment = extract_environment(env_text, ticket.metadata, vocabulary)
    if narrative.user_agent and facts.environment.browser is None:
        facts.environment.browser, facts.environment.os = parse_user_agent(narrative.user_agent)
    language = language_of(cleaned.own, safe)
    facts.language = language
    # a signature may name the zone; a support reply quoted below speaks in its own
    zone = default_zone(ticket.metadata, without_history(body), ticket.requester.email, language)
    shift = len(raw_subject) + 1 if raw_subject else 0
    forwarded = [(shift + at, message_time(sent, received_at, zone)) for at, sent in cleaned.forwarded]
    # the timestamped lines of a pasted log date the failures they show (a JSON body's dates are data)
    stamped = "\n".join(line for line in logs_text.splitlines() if _STAMPED_LINE.match(line))
    told = f"{safe}\n\n{stamped}" if stamped else safe
    facts.timing = resolve_timing(told, received_at, zone, language, forwarded, cleaned.forwarded_from)
    facts.problem_text = safe
    return facts


def _what_happened(clause: str | None, signatures: list[ErrorSignature]) -> str | None:
    """What happened, as short as the ticket allows: the message shown, else the status and code
    it quoted, else the customer's clause; a success status ("returns 200 every time") only when
    the customer said nothing of what went wrong."""
    message = next((s.value for s in signatures if s.kind == "message"), None)
    if message:
        return message[:_MAX_STATEMENT_PART]
    statuses = [s.value for s in signatures if s.kind == "http_status"]
    shown = [status for status in statuses if status[0] in "45"][:1]
    shown += [s.value for s in signatures if s.kind in ("error_code", "exception")][:1]
    return " ".join(shown) if shown else clause or next(iter(statuses), None)


def _merge(messages: list[_MessageFacts]) -> _MessageFacts:
    merged = _MessageFacts(received_at=messages[-1].received_at)
    for facts in messages:
        merged.identifiers.update(facts.identifiers)
        merged.foreign.extend(value for value in facts.foreign if value not in merged.foreign)
        merged.emails.extend(address for address in facts.emails if address not in merged.emails)
        for name in ("action", "expected", "actual", "steps", "timing", "scope_name"):
            value = getattr(facts, name)
            if value is not None:
                setattr(merged, name, value)
        for name in ("surface", "app_version", "browser", "os", "region", "user_agent"):
            value = getattr(facts.environment, name)
            if value is not None:
                setattr(merged.environment, name, value)
        known = {(s.kind, s.value) for s in merged.signatures}
        merged.signatures.extend(s for s in facts.signatures if (s.kind, s.value) not in known)
        merged.logs.extend(log for log in facts.logs if log not in merged.logs)
        merged.injection = merged.injection or facts.injection
        merged.language_text += "\n" + facts.language_text
        merged.problem_text += "\n" + facts.problem_text
        merged.subject = merged.subject or facts.subject
    merged.logs = merged.logs[:MAX_LOG_EXCERPTS]
    merged.signatures = merged.signatures[:20]
    return merged


def _missing(facts: _MessageFacts, vocabulary: IntakeVocabulary) -> list[str]:
    missing: list[str] = []
    for kind in vocabulary.required:
        if kind in MISSING_ORDER:
            continue  # asked below, in its turn
        named = kind == vocabulary.scope_kind and facts.scope_name
        if kind not in facts.identifiers and not named:
            missing.append(kind)
    if facts.timing is None:
        missing.append("time_window")
    # what a ticket that says no error is shown quotes (a spinner's "Syncing…", a status) is the symptom
    details = _HARD_ERROR_KINDS if denies_an_error(facts.problem_text) else _ERROR_DETAIL_KINDS
    if "error_code" not in facts.identifiers and not any(s.kind in details for s in facts.signatures):
        missing.append("error_details")
    if not facts.action:
        missing.append("action")
    return missing


def _clip(text: str, limit: int = _MAX_STATEMENT_PART) -> str:
    text = " ".join(text.split())
    text = re.sub(r"(?<=[^\s.])[.!?]+\s+", "; ", text).rstrip(" .!?;:")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# The problem statement says where and when on its own; what the action clause repeats of it
# (the scope, "for the past 2 hours", "since Monday") goes, and so does what is left dangling
# ("sync data from for …" where a link or name was cut out of the customer's sentence).
_PREPOSITION = r"(?:from|to|in|on|at|for|via|with|into)"
_TIME_TAIL = re.compile(
    r"\s+(?:(?:for|over)\s+(?:the\s+(?:past|last)|about|around|almost|nearly|more than|\d)|since)\b.*$",
    re.IGNORECASE,
)
_FAILURE_TAIL = re.compile(r"\s+(?:and it|but it|and that|keeps|kept)\b.*$", re.IGNORECASE)
_DANGLING = re.compile(rf"\s+{_PREPOSITION}(?=\s+(?:{_PREPOSITION}|any ?more)\b|\s*$)", re.IGNORECASE)
_ANYMORE = re.compile(r"\s+any ?more\b", re.IGNORECASE)
_CANNOT = re.compile(
    r"^(?:i|we)\s+(?:can['’]?t|cannot|can not|could ?n['’]?t|am unable to|are unable to)\s+", re.IGNORECASE
)


def _statement_action(action: str, places: Sequence[str], scope_words: Sequence[str]) -> str:
    scope = "|".join(re.escape(word) for word in scope_words if " " not in word) or "(?!)"
    for place in places:
        if place.lower() not in action.lower():
            continue  # (a pattern per place is compiled only where it can match)
        action = re.sub(
            rf"\s+(?:in|on|from)\s+(?:the\s+)?(?:(?:{scope})\s+)?[\"'„“]?{re.escape(place)}[\"'“”]?"
            rf"(?:\s+(?:{scope}))?\b",
            "",
            action,
            flags=re.IGNORECASE,
        )
    for pattern in (_TIME_TAIL, _FAILURE_TAIL, _ANYMORE):
        action = pattern.sub("", action)
    return " ".join(_DANGLING.sub("", action).split())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _restates(actual: str, action: str) -> str | None:
    """How `actual` repeats the action: "failed" when it only says the action failed ("I can't
    sync data …" after "tried to sync data"), "same" when it says it again; None otherwise."""
    words = _words(action)[:3]
    plain = " ".join(actual.split())
    said = _CANNOT.sub("", plain)
    if not words or _words(said)[: len(words)] != words:
        return None
    return "failed" if said != plain else "same"


# A clause that is a whole sentence of the ticket ("The report … still shows old figures"),
# not something the customer did: the statement reports it instead of "tried to".
_NOT_A_DEED = re.compile(
    r"^(?:the|my|our|a|an|this|that|it|we|i|der|die|das|le|la|les|el|los|las)\b", re.IGNORECASE
)


def _when(timing: Timing | None) -> str:
    if timing is None:
        return "at an unknown time"
    start, end = timing.start.astimezone(UTC), timing.end.astimezone(UTC)
    if start.date() == end.date():
        return f"on {start:%Y-%m-%d} between {start:%H:%M} and {end:%H:%M} UTC"
    return f"between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC"


def _problem_statement(ticket: TicketReceived, facts: _MessageFacts, vocabulary: IntakeVocabulary) -> str:
    who = ticket.requester.name or ticket.requester.email
    if ticket.requester.name:
        who = f"{who} <{ticket.requester.email}>"
    where = []
    if "user_email" in facts.identifiers:
        where.append(f"for user {facts.identifiers['user_email']}")
    for key in (vocabulary.scope_kind, vocabulary.tenant_kind):
        if key and key in facts.identifiers:
            where.append(f"in {vocabulary.label(key)} {facts.identifiers[key]}")
    scope = vocabulary.scope_kind
    if scope and scope not in facts.identifiers and facts.scope_name:
        where.append(f"in {vocabulary.label(scope)} '{_clip(facts.scope_name, 40)}'")
    if facts.environment.surface:
        where.append(
            f"via {facts.environment.surface.upper() if facts.environment.surface != 'mobile' else 'mobile'}"
        )
    errors = [s.value for s in facts.signatures if s.kind in ("error_code", "http_status", "exception")]
    messages = [s.value for s in facts.signatures if s.kind == "message"]
    action = _statement_action(
        facts.action or "",
        [p for p in (facts.identifiers.get(vocabulary.scope_kind or ""), facts.scope_name) if p],
        vocabulary.scope_words,
    )
    if action:
        action = action.lstrip("¡¿")  # the statement is one English sentence
        if _NOT_A_DEED.match(action):
            claim = f"reports {_clip(action[:1].lower() + action[1:], 100)}"
        else:
            claim = f"{'reports' if action[0].isupper() else 'tried to'} {_clip(action, 100)}"
    else:
        subject = _SUBJECT_PREFIX.sub("", facts.subject).strip()
        claim = f"reports a problem: {_clip(subject, 100)}" if subject else "reports a problem"
    parts = [f"{who} {claim}"]
    if where:
        parts.append(" ".join(where))
    outcome = ""
    if errors:
        http = [e for e in errors if e.isdigit()]
        codes = [e for e in errors if not e.isdigit()]
        outcome = "and got " + ", ".join([*codes[:2], *(f"HTTP {h}" for h in http[:1])])
    elif messages:
        outcome = f"and saw '{_clip(messages[0], 80)}'"
    elif facts.actual and action and _restates(facts.actual, action):
        outcome = "but could not" if _restates(facts.actual, action) == "failed" else ""
    elif facts.actual:
        outcome = f"but {_clip(facts.actual, 100)}"
    if outcome:
        parts.append(outcome)
    if facts.expected:
        parts.append(f"(expected: {_clip(facts.expected, 90)})")
    parts.append(_when(facts.timing))
    statement = " ".join(part for part in parts if part)
    return statement.replace("\n", " ").rstrip(" .;") + "."


_SIGNATURE_LINES = 4  # the signer's name and the title, company and phone lines under it


def _without_signature(text: str, signer: str | None) -> str:
    """The text without its signer's block: the line that is only the requester's full name and
    the lines right under it ("Greg Tollan / Owner, Tollan & Pryce Hardware"), whose title says who
    writes, not what the trouble is."""
    name = " ".join((signer or "").lower().split())
    if len(name.split()) < 2 or name not in text.lower():
        return text
    lines = text.split("\n")
    for at in range(len(lines) - 1, -1, -1):
        if " ".join(lines[at].lower().split()) == name:
            end = at
            while end < len(lines) and lines[end].strip() and end - at < _SIGNATURE_LINES:
                end += 1
            return "\n".join(lines[:at] + lines[end:])
    return text


def _problem_type(
    facts: _MessageFacts, vocabulary: IntakeVocabulary, signer: str | None = None
) -> str | None:
    if not facts.signatures and asks_what_is_possible(facts.problem_text):
        general = vocabulary.problem_type_fallback
        if general:
            return general
    subject = _SUBJECT_PREFIX.sub("", facts.subject)
    # the codes of the error bodies and log lines pasted below the prose name the trouble too
    codes = " ".join(
        s.value for s in facts.signatures if s.kind == "error_code" and s.value not in facts.problem_text
    )
    text = _without_signature(facts.problem_text, signer)
    return problem_type(f"{text}\n{codes}", f"{subject}\n{facts.action or ''}", vocabulary)


def normalize(
    ticket: TicketReceived,
    history: Sequence[TicketReceived] = (),
    vocabulary: IntakeVocabulary | None = None,
) -> IntakeSection:
    """The merged intake section of a ticket and its earlier messages (`history`, oldest first),
    read with the domain's `vocabulary` (the configured domain's when not given)."""
    vocabulary = vocabulary or default_vocabulary()
    messages: list[_MessageFacts] = []
    for message in [*history, ticket]:
        for body, received_at, author in _customer_texts(message, vocabulary):
            messages.append(_read_message(message, body, received_at, message.subject, vocabulary, author))
    facts = _merge(messages)
    identifiers = dict(facts.identifiers)
    if "error_code" not in identifiers:
        code = next((s.value for s in facts.signatures if s.kind == "error_code"), None)
        if code is not None:
            identifiers["error_code"] = code
    name_key = vocabulary.scope_name_key
    if facts.scope_name and name_key and name_key not in identifiers:
        identifiers[name_key] = facts.scope_name
    language = messages[0].language if len(messages) == 1 else detect_language(facts.language_text)
    missing = _missing(facts, vocabulary)
    status = "needs_info" if "action" in missing and "error_details" in missing else "ready"
    return IntakeSection(
        status=status,
        requester_email=ticket.requester.email,
        requester_name=ticket.requester.name,
        identifiers=identifiers,
        environment=facts.environment,
        action=facts.action,
        expected=facts.expected,
        actual=facts.actual,
        steps=facts.steps,
        window_start=facts.timing.start if facts.timing else None,
        window_end=facts.timing.end if facts.timing else None,
        timing_text=facts.timing.text if facts.timing else None,
        error_signatures=facts.signatures,
        language=language,
        problem_statement=_problem_statement(ticket, facts, vocabulary),
        problem_type=_problem_type(facts, vocabulary, ticket.requester.name),
        missing=missing,
        emails=facts.emails,
        foreign_identifiers=[value for value in facts.foreign if value not in identifiers.values()],
        # the product's own example of an id (its documentation's placeholder) is no other tenant
        cross_tenant=any(value.lower() not in vocabulary.example_values for value in facts.foreign),
        questions=[question_for(item, language, vocabulary) for item in missing],
        log_excerpts=facts.logs,
        injection_suspected=facts.injection,
        messages_merged=len(history) + 1,
    )


_WARM_UP = TicketReceived(
    ticket_id="warm-up",
    message_id="<warm-up@supportflow>",
    received_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
    subject="Fwd: Fehler seit gestern 9:30 CET",
    body=(
        "<p>Hallo, seit gestern um 9:30 schlägt es fehl (HTTP 500).<br>password: Hunter2-Example!</p>\n"
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36\n"
        "---------- Forwarded message ---------\nFrom: A <a@example.org>\n"
        "Date: Mon, Jan 5, 2026 at 10:00 AM\nSubject: failing\n\nIt fails since this morning."
    ),
    requester=Requester(email="warm-up@example.org", name="Warm Up"),
)


def warm_up(vocabulary: IntakeVocabulary | None = None) -> None:
    """Read one sample ticket, so the libraries' models and locale data (language, dates,
    forwards, HTML, user agents, secrets) load before the first customer's ticket waits on them."""
    normalize(_WARM_UP, vocabulary=vocabulary)
    world_cities()
