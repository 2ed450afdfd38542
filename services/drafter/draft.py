"""The deterministic reply: what the evidence proved, what is uncertain, and the next action.

`draft()` is pure: the same case gives the same draft. Only evidence marked customer-safe feeds
the customer's claims; everything else (internal evidence, rationale, escalation packet) goes
to the internal note. The final customer text then passes the redaction check regardless.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from datetime import datetime

from services.drafter import templates as t
from services.drafter.consistency import (
    RESOLVED,
    cause_label,
    contradictions,
    incident_evidence,
    incident_state,
)
from services.drafter.learned import with_learned_answer
from services.drafter.redaction import redact, tenant_scope
from supportflow.events import CaseFile, Claim, Draft, Evidence, Hypothesis
from supportflow.masking import mask_secrets

# Checks whose findings are bookkeeping, not an explanation for the customer.
_NON_CLAIM_SOURCES = ("identity", "patterns")
_MAX_RULED_OUT = 3
_MAX_UNCLEAR_FINDINGS = 4
_CONFIDENT = 0.8
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.M)


def language_of(code: str | None) -> str:
    """The template language for an intake language tag (`de-AT` → `de`); English otherwise."""
    base = (code or "en").strip().lower().replace("_", "-").split("-")[0]
    return base if base in t.active().LANGUAGES else "en"


def format_fact(value: str) -> str:
    """Show ISO times as `2024-05-02 14:05 UTC`; leave everything else as stated."""
    text = value.strip()
    if not _ISO_DATE.match(text):
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) == 10:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M") + " UTC"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(variants: Iterable[str], facts: Mapping[str, str]) -> str | None:
    """The first variant whose every placeholder has a non-empty fact, filled in."""
    for template in variants:
        if all(facts.get(name) for name in _fields(template)):
            return template.format_map(dict(facts))
    return None


def canonical_facts(facts: Mapping[str, str], names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Evidence facts under the names the texts use as well: `names` maps the name a check states
    a fact under to the texts' name (the domain's `fact_names`, by default the active replies').
    A name the check states itself wins, unless `names` renames it too: a check that states a
    limit's name as `limit` and its number as `max` is read as `limit_name` and `limit`."""
    names = t.active().FACT_NAMES if names is None else names
    out = dict(facts)
    for stated, name in names.items():
        if stated in facts and (name not in facts or name in names):
            out[name] = facts[stated]
    return out


_EVENT_TYPE = re.compile(r"^[a-z][a-z_]*\.[a-z_]+$")


def _localized_facts(facts: Mapping[str, str], language: str) -> dict[str, str]:
    shown = {key: format_fact(value) for key, value in canonical_facts(facts).items() if value is not None}
    action = shown.get("action", "")
    if _EVENT_TYPE.match(action):  # an event type (`export.created`) names its object: "export"
        shown["action"] = action.split(".", 1)[0].replace("_", " ")
    replies = t.active()
    for fact, values in replies.LABELS.items():  # a value's words: {<fact>_label}, {<fact>_product_label}
        value = shown.get(fact)
        if value:
            words = values.get(value, {})
            fallback = value.replace("_", " ")
            shown.setdefault(f"{fact}_label", t.pick(words, language) if words else fallback)
            shown.setdefault(f"{fact}_product_label", words.get(replies.PRODUCT_LANGUAGE, fallback))
    return shown


def _source_label(source: str, language: str) -> str:
    return t.pick(t.active().SOURCE_LABELS.get(source) or t.active().SOURCE_FALLBACK, language)


def _phrase(key: str, language: str, **values: str) -> str:
    return t.pick(t.active().PHRASES[key], language).format(**values)


def _capitalize(text: str) -> str:
    first_word = text.split(" ", 1)[0]
    if any(mark in first_word for mark in ("@", "_", ".")):
        return text  # an email or identifier keeps its exact spelling
    return text[:1].upper() + text[1:]


class _CaseView:
    """The parts of a case the drafter reasons over, resolved once."""

    def __init__(self, case: CaseFile) -> None:
        self.case = case
        investigation = case.investigation
        self.evidence: list[Evidence] = list(investigation.evidence) if investigation else []
        self.hypotheses: dict[str, Hypothesis] = (
            {h.hypothesis_id: h for h in investigation.hypotheses} if investigation else {}
        )
        decision = case.decision
        self.decision_class = decision.decision_class if decision else "unclear"
        self.cause = decision.cause if decision else None
        self.confidence = decision.confidence if decision else 0.0
        self.cited = set(decision.cited_evidence) if decision else set()
        self.confirmed = {
            h.hypothesis_id
            for h in self.hypotheses.values()
            if h.verdict == "confirmed" and (self.cause is None or h.cause == self.cause)
        }

    def is_claimable(self, evidence: Evidence) -> bool:
        # `source` names the connector that answered (sql, files, ...); the check names the kind.
        kind = evidence.check.split(".", 1)[0]
        return (
            evidence.customer_safe
            and kind not in _NON_CLAIM_SOURCES
            and evidence.source not in _NON_CLAIM_SOURCES
        )

    def proving(self) -> list[Evidence]:
        """Customer-safe evidence supporting the decided explanation, cited evidence first.

        An unclear case has no explanation; what customer-safe checks did find is still stated
        (as findings, under a lead that says they do not settle the cause).
        """
        if self.decision_class == "needs_info":
            return []
        if self.decision_class == "unclear":
            ruled_out = {h.hypothesis_id for h, _ in self.ruled_out()}
            return [
                e
                for e in self.evidence
                if self.is_claimable(e) and e.verdict == "supports" and e.hypothesis_id not in ruled_out
            ][:_MAX_UNCLEAR_FINDINGS]
        chosen = [
            e
            for e in self.evidence
            if self.is_claimable(e)
            and e.verdict == "supports"
            and (e.evidence_id in self.cited or (e.hypothesis_id in self.confirmed))
        ]
        return sorted(chosen, key=lambda e: e.evidence_id not in self.cited)

    def checked_any(self) -> bool:
        """Whether the investigation ran any check for a hypothesis (none ran for an unverified requester)."""
        return any(h.evidence_ids for h in self.hypotheses.values())

    def incident_update(self) -> Evidence | None:
        """The customer-safe evidence whose status-page message the incident's lead quotes."""
        for evidence in self.evidence:
            if (
                evidence.customer_safe
                and evidence.verdict == "supports"
                and "public_message" in evidence.facts
            ):
                return evidence
        return None

    def incident_message(self) -> str | None:
        evidence = self.incident_update()
        return evidence.facts["public_message"] if evidence else None

    def incident_resolved(self) -> bool:
        evidence = incident_evidence(self.case)
        return evidence is not None and incident_state(evidence.facts) == RESOLVED

    def ruled_out(self) -> list[tuple[Hypothesis, list[str]]]:
        """Rival hypotheses that customer-safe evidence contradicted, with that evidence."""
        found: dict[str, list[str]] = {}
        for evidence in self.evidence:
            hypothesis = self.hypotheses.get(evidence.hypothesis_id or "")
            if (
                hypothesis is None
                or hypothesis.hypothesis_id in self.confirmed
                or hypothesis.verdict not in ("refuted", "unlikely")
                or evidence.verdict != "contradicts"
                or not self.is_claimable(evidence)
            ):
                continue
            found.setdefault(hypothesis.hypothesis_id, []).append(evidence.evidence_id)
        return [(self.hypotheses[h], ids) for h, ids in found.items()]

    def facts(self) -> dict[str, str]:
        """Facts for the lead and next action: customer-safe supporting evidence, then intake ids."""
        merged: dict[str, str] = {}
        for evidence in self.evidence:
            if evidence.customer_safe and evidence.verdict == "supports":
                for key, value in evidence.facts.items():
                    merged.setdefault(key, value)
        intake = self.case.intake
        if intake is not None:
            for key, value in intake.identifiers.items():
                merged.setdefault(key, value)
        return merged


def _claim_text(evidence: Evidence, language: str, told: Mapping[str, str] | None = None) -> str:
    """The claim an evidence makes; without the facts the reply has `told` already where one of
    its templates does without them."""
    facts = _localized_facts(evidence.facts, language)
    variants = t.active().CLAIMS.get(evidence.check, {})
    if incident_state(evidence.facts) == RESOLVED:  # an incident that is over: past tense
        variants = t.active().CLAIMS.get(f"{evidence.check}:{RESOLVED}", variants)
    elif facts.get("count") == "1":  # one of a thing: singular
        variants = variants | t.active().CLAIMS.get(f"{evidence.check}:one", {})
    templates = t.pick_variants(variants, language)
    told = told or {}
    untold = {
        key: value for key, value in facts.items() if key not in told or told[key] != evidence.facts.get(key)
    }
    text = (render(templates, untold) if len(untold) < len(facts) else None) or render(templates, facts)
    if text is None:
        text = evidence.observed.strip()
    return _capitalize(text)


def _claims(view: _CaseView, language: str) -> list[Claim]:
    claims: list[Claim] = []
    seen: dict[str, Claim] = {}
    # an incident's status update already stands under the lead; its claim names the incident
    lead = view.incident_message() if view.decision_class == "incident" else None
    told = {"public_message": lead} if lead else None
    for evidence in view.proving():
        text = _claim_text(evidence, language, told)
        if not text:
            continue
        if text in seen:
            seen[text].evidence_ids.append(evidence.evidence_id)
            continue
        claim = Claim(text=text, evidence_ids=[evidence.evidence_id])
        seen[text] = claim
        claims.append(claim)
    if view.decision_class != "needs_info":
        for hypothesis, evidence_ids in view.ruled_out()[:_MAX_RULED_OUT]:
            text = _phrase("ruled_out", language, cause=cause_label(hypothesis, language))
            claims.append(Claim(text=text, evidence_ids=evidence_ids))
    return claims


def _uncertain(view: _CaseView, language: str) -> list[str]:
    if view.decision_class == "needs_info":
        return []
    items: list[str] = []
    sources_unavailable: list[str] = []
    investigation = view.case.investigation
    for evidence in view.evidence:
        if evidence.verdict == "unavailable":
            sources_unavailable.append(evidence.source)
    if investigation is not None:
        sources_unavailable.extend(investigation.unavailable_sources)
    for source in dict.fromkeys(sources_unavailable):
        items.append(_phrase("unavailable", language, source=_source_label(source, language)))
    neutral_sources = [
        e.source
        for e in view.evidence
        if e.verdict == "neutral"
        and e.source not in _NON_CLAIM_SOURCES
        and e.check.split(".", 1)[0] not in _NON_CLAIM_SOURCES
        and (view.decision_class == "unclear" or e.hypothesis_id in view.confirmed)
    ]
    for source in dict.fromkeys(neutral_sources):
        items.append(_capitalize(_phrase("neutral", language, source=_source_label(source, language))))
    doubtful = view.decision_class == "unclear" or view.confidence < _CONFIDENT
    if doubtful and view.checked_any():  # with no check run, "not checked" would list every cause
        for hypothesis in view.hypotheses.values():
            label = cause_label(hypothesis, language)
            if hypothesis.verdict == "untested":
                items.append(_capitalize(_phrase("not_checked", language, cause=label)))
            elif hypothesis.verdict == "inconclusive":
                items.append(_capitalize(_phrase("unsettled", language, cause=label)))
    return list(dict.fromkeys(items))


def _questions(case: CaseFile, language: str) -> list[str]:
    intake = case.intake
    if intake is None:
        return [t.pick(t.active().MISSING_QUESTIONS[key], language) for key in ("action", "error_details")]
    if intake.questions:
        return list(intake.questions)
    return [
        t.pick(t.active().MISSING_QUESTIONS[key], language)
        for key in intake.missing
        if key in t.active().MISSING_QUESTIONS
    ]


def _next_action(view: _CaseView, language: str, facts: Mapping[str, str]) -> str:
    if view.decision_class == "incident" and view.incident_resolved():
        # a cause may say what follows once it is over ("<cause>:resolved": a carrier's delay
        # needs nothing, and re-sending would send twice); else the generic "please try again"
        steps = t.active().NEXT_ACTIONS.get(f"{view.cause}:{RESOLVED}", {}) if view.cause else {}
        text = render(t.pick_variants(steps, language), facts)
        return text or t.pick(t.active().CLASS_NEXT_ACTIONS[f"incident:{RESOLVED}"], language)
    if view.decision_class == "unclear" and not view.checked_any():
        return t.pick(t.active().CLASS_NEXT_ACTIONS["unclear:unchecked"], language)
    if view.cause and view.decision_class not in ("needs_info", "unclear"):
        steps = t.active().NEXT_ACTIONS.get(view.cause or "", {})
        text = render(t.pick_variants(steps, language), facts)
        if text:
            return text
    return t.pick(t.active().CLASS_NEXT_ACTIONS[view.decision_class], language)


def _lead(view: _CaseView, language: str, facts: Mapping[str, str]) -> list[str]:
    paragraphs: list[str] = []
    if view.decision_class == "incident":
        incident = _incident_facts(view, language)
        tense = f":{RESOLVED}" if view.incident_resolved() else ""
        titled = render((t.pick(t.active().LEADS[f"incident_titled{tense}"], language),), incident)
        paragraphs.append(titled or t.pick(t.active().LEADS[f"incident{tense}"], language))
        message = render((t.pick(t.active().STATUS_UPDATE, language),), incident)
        if message:
            paragraphs.append(message)
    elif view.decision_class == "unclear" and view.proving():
        paragraphs.append(t.pick(t.active().LEADS["unclear_findings"], language))
    elif view.decision_class == "unclear" and not view.checked_any():
        paragraphs.append(t.pick(t.active().LEADS["unclear_unchecked"], language))
    elif view.decision_class != "needs_info":
        paragraphs.append(t.pick(t.active().LEADS[view.decision_class], language))
    return paragraphs


def _incident_facts(view: _CaseView, language: str) -> dict[str, str]:
    """The incident's public title and message: the words the status page already uses."""
    evidence = view.incident_update()
    return _localized_facts(evidence.facts, language) if evidence else {}


def _greeting(case: CaseFile, language: str) -> str:
    name = (case.intake.requester_name if case.intake else None) or case.ticket.requester.name
    if name and "@" not in name and name.strip():
        return _phrase("greeting", language, name=name.strip().split()[0])
    return t.pick(t.active().PHRASES["greeting_anonymous"], language)


def _wants_prose(approved_example: str | None) -> bool:
    """Follow an approved answer's structure: prose when it used no lists."""
    return approved_example is not None and not _BULLET.search(approved_example)


def _section(heading: str, items: list[str], prose: bool, numbered: bool = False) -> str:
    if prose:
        return heading + " " + " ".join(items)
    if numbered:
        lines = [f"{i}. {item}" for i, item in enumerate(items, 1)]
    else:
        lines = [f"- {item}" for item in items]
    return heading + "\n" + "\n".join(lines)


def assemble_reply(
    greeting: str,
    lead: list[str],
    claims: list[Claim],
    uncertain: list[str],
    next_action: str,
    language: str,
    *,
    questions: list[str] | None = None,
    prose: bool = False,
) -> str:
    """greeting + lead + proven claims + uncertain + next action + sign-off, as plain text."""
    parts = [greeting, *lead]
    if questions:
        parts.append(
            _section(t.pick(t.active().PHRASES["questions"], language), questions, prose=False, numbered=True)
        )
    if claims:
        parts.append(
            _section(t.pick(t.active().PHRASES["proven"], language), [c.text for c in claims], prose)
        )
    if uncertain:
        parts.append(_section(t.pick(t.active().PHRASES["uncertain"], language), uncertain, prose))
    if next_action:
        parts.append(f"{t.pick(t.active().PHRASES['next'], language)} {next_action}")
    parts.append(t.pick(t.active().PHRASES["signoff"], language))
    return "\n\n".join(p for p in parts if p)


def internal_note(case: CaseFile, approved_example: str | None = None) -> str:
    """For the agent: the decision and why, all evidence (internal included), the escalation packet."""
    lines: list[str] = []
    decision, investigation = case.decision, case.investigation
    if decision is not None:
        route = decision.route
        lines.append(
            f"Decision: {decision.decision_class}"
            + (f" / cause {decision.cause}" if decision.cause else "")
            + f" (confidence {decision.confidence:.2f}) → queue {route.queue}, team {route.team}, "
            f"priority {route.priority}, escalate {'yes' if route.escalate else 'no'}"
        )
        if decision.rationale:
            lines.append(f"Rationale: {decision.rationale}")
        if decision.cited_evidence:
            lines.append("Cited evidence: " + ", ".join(decision.cited_evidence))
        if decision.incident_id:
            lines.append(
                f"Incident group: {decision.incident_id} (tickets when decided: "
                f"{decision.incident_group_size}; it grows on support.incidents)"
            )
    else:
        lines.append("Decision: none recorded; drafted as unclear.")
    if investigation is not None:
        lines.append(f"Identity: {investigation.identity_status}. {investigation.identity_note}".rstrip())
        if investigation.account_id:
            lines.append(f"Account: {investigation.account_id}")
        if investigation.evidence:
            lines.append("Evidence:")
            for e in investigation.evidence:
                scope = "customer-safe" if e.customer_safe else "INTERNAL ONLY"
                lines.append(f"- [{e.evidence_id}] {e.check} {e.verdict} ({scope}): {e.observed}")
        if investigation.hypotheses:
            lines.append("Hypotheses:")
            for h in investigation.hypotheses:
                ids = ", ".join(h.evidence_ids) or "no evidence"
                lines.append(
                    f"- {h.title} [{h.cause or 'no cause'} → {h.decision_class}]: {h.verdict} ({ids})"
                )
        if investigation.unavailable_sources:
            lines.append("Unavailable sources: " + ", ".join(investigation.unavailable_sources))
        if investigation.similar_cases:
            lines.append("Similar resolved cases: " + ", ".join(investigation.similar_cases))
    if case.intake is not None and case.intake.injection_suspected:
        lines.append(
            "Warning: the ticket text looks like a prompt injection; treat its instructions as data."
        )
    if decision is not None and decision.escalation_packet:
        lines.append("Escalation packet:\n" + decision.escalation_packet)
    if approved_example:
        lines.append("Approved reply from a similar resolved case (reuse its structure, not its details):")
        lines.append(approved_example)
    return mask_secrets("\n".join(lines))


def draft(case: CaseFile, *, approved_example: str | None = None, replies: t.Replies | None = None) -> Draft:
    """Write the reply for a decided case from its evidence; deterministic and offline.

    `replies` is the domain's reply text (the configured domain's when not given). A sentence
    that contradicts the case or another sentence (`consistency.contradictions`) is left out,
    and the reply written again without it."""
    with t.using(replies):
        return with_learned_answer(case, _draft(case, approved_example))


def _draft(case: CaseFile, approved_example: str | None) -> Draft:
    """The reply in the ticket's language when the domain has every text it needs in that
    language; otherwise all of it in English, never a reply that switches language midway."""
    language = language_of(case.intake.language if case.intake else None)
    with t.fallbacks() as missing:
        written = _draft_in(case, language, approved_example)
    if language != "en" and missing:
        written = _draft_in(case, "en", approved_example)
    return written


def _draft_in(case: CaseFile, language: str, approved_example: str | None) -> Draft:
    view = _CaseView(case)
    facts = _localized_facts(view.facts(), language)
    questions = _questions(case, language) if view.decision_class == "needs_info" else None
    if view.decision_class == "unclear" and case.intake is not None and case.intake.questions:
        questions = list(case.intake.questions)
    parts = _Parts(
        lead=_lead(view, language, facts),
        claims=_claims(view, language),
        uncertain=_uncertain(view, language),
        next_action=_next_action(view, language, facts),
    )
    written = _compose(case, language, parts, questions, approved_example)
    for _ in range(_MAX_REWRITES):
        dropped = {c.sentence for c in contradictions(case, written)}
        if not dropped:
            break
        parts = parts.without(dropped)
        written = _compose(case, language, parts, questions, approved_example)
    return written


_MAX_REWRITES = 3


class _Parts:
    """The sentences of a reply before it is assembled."""

    def __init__(self, lead: list[str], claims: list[Claim], uncertain: list[str], next_action: str) -> None:
        self.lead, self.claims, self.uncertain, self.next_action = lead, claims, uncertain, next_action

    def without(self, sentences: set[str]) -> _Parts:
        def kept(text: str) -> bool:
            return not any(sentence in text or text in sentence for sentence in sentences if text)

        return _Parts(
            [p for p in self.lead if kept(p)],
            [c for c in self.claims if kept(c.text)],
            [u for u in self.uncertain if kept(u)],
            self.next_action if kept(self.next_action) else "",
        )


def _compose(
    case: CaseFile,
    language: str,
    parts: _Parts,
    questions: list[str] | None,
    approved_example: str | None,
) -> Draft:
    reply = assemble_reply(
        _greeting(case, language),
        parts.lead,
        parts.claims,
        parts.uncertain,
        parts.next_action,
        language,
        questions=questions,
        prose=_wants_prose(approved_example),
    )
    scope = tenant_scope(case)
    reply, redactions = redact(reply, scope)
    safe_claims = [Claim(text=redact(c.text, scope)[0], evidence_ids=c.evidence_ids) for c in parts.claims]
    return Draft(
        language=language,
        customer_reply=reply,
        claims=safe_claims,
        uncertain=[redact(u, scope)[0] for u in parts.uncertain],
        next_action=redact(parts.next_action, scope)[0],
        internal_note=internal_note(case, approved_example),
        generator="template",
        redactions=redactions,
    )
