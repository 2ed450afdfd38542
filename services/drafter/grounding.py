"""Optional LLM rewrite for tone, held to what the evidence and the deterministic draft state.

A rewrite is accepted only if it adds no number, date, identifier, name or commitment that the
draft and the case's customer-safe evidence do not already hold, keeps every number and
identifier of the draft's claims, and has no sentence made mostly of new content. Otherwise
the deterministic draft stands and `grounding_rejections` counts the rejection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from services.drafter.redaction import redact, tenant_scope
from supportflow.events import CaseFile, Draft
from supportflow.llm import Provider, ProviderError

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_IDENTIFIER = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"  # email
    r"|https?://\S+"  # url
    r"|\b[a-z]{2,5}_[a-z0-9_]{3,}\b"  # prefixed ids and keys, limit names (orders_per_day)
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"  # error codes (ORDER_REJECTED)
    r"|\b[a-z]+\.[a-z_]+[a-z]\b"  # report.edit
)
_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*•]\s+|\d+[.)]\s+)?)$")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


MONTHS: dict[str, int] = {}
for _names in (
    "january february march april may june july august september october november december",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
):
    for _n, _name in enumerate(_names.split(), 1):
        MONTHS[_name] = _n
for _name, _n in list(MONTHS.items()):
    MONTHS.setdefault(_name[:3], _n)

RELATIVE_TIME = _wordset(
    "today tomorrow tonight yesterday hour hours minutes weekend monday tuesday wednesday thursday friday "
    "heute morgen gestern stunden minuten wochenende montag dienstag mittwoch donnerstag freitag "
    "aujourd'hui demain hier heures lundi mardi mercredi jeudi vendredi "
    "hoy mañana ayer horas minutos lunes martes miércoles jueves viernes"
)
COMMITMENTS = _wordset(
    "refund refunds credit credits discount compensation compensate guarantee guaranteed promise waive free "
    "erstattung gutschrift rabatt entschädigung garantie garantieren versprechen kostenlos "
    "remboursement rembourser avoir remise dédommagement garantir promettre gratuit "
    "reembolso crédito descuento compensación garantizar garantía prometer gratis"
)
# Words a tone rewrite may add freely: courtesy, not content.
TONE_WORDS = _wordset(
    "thank thanks thanking sorry apologize apologise apologies understand understandable frustrating "
    "frustration appreciate patience hope glad happy help helps please inconvenience trouble reaching "
    "sincerely kind regards reply message know let any further questions more details clear "
    "danke vielen entschuldigen entschuldigung verständnis ärgerlich geduld freundlichen bitte gerne "
    "merci désolé désolés excuses comprenons patience compréhension volontiers n'hésitez "
    "gracias lamentamos disculpe disculpas entendemos paciencia comprensión encantados dude"
)
_ENTITY_CASE_LANGUAGES = frozenset({"en", "fr", "es"})
_ALWAYS_ALLOWED_NAMES = frozenset({"i", "i'm", "i'd", "i'll", "i’m", "i’ll", "i’d"})


def _number_key(token: str) -> str:
    digits = re.sub(r"[.,]", "", token).lstrip("0")
    return digits or "0"


def _numbers(text: str) -> set[str]:
    found = {_number_key(m) for m in _NUMBER.findall(text)}
    # 2024-05-02 13:02 also grounds its parts (2024, 5, 2, 13, 2) for a reworded date.
    for part in re.findall(r"\d+", text):
        found.add(part.lstrip("0") or "0")
    return found


def _identifiers(text: str) -> set[str]:
    return {m.rstrip(".,;:)").lower() for m in _IDENTIFIER.findall(text)}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _months_in(text: str) -> set[int]:
    months = {int(m) for m in re.findall(r"\b\d{4}-(\d{2})-\d{2}", text)}
    months |= {MONTHS[w] for w in _words(text) if w in MONTHS}
    return months


def grounding_corpus(draft: Draft, case: CaseFile) -> str:
    """Everything a rewrite may draw on: the draft and the customer-safe facts behind it."""
    parts: list[str] = [draft.customer_reply, draft.next_action, *draft.uncertain]
    parts.extend(c.text for c in draft.claims)
    if case.investigation is not None:
        for evidence in case.investigation.evidence:
            if evidence.customer_safe:
                parts.append(evidence.observed)
                parts.extend(evidence.facts.values())
    if case.intake is not None:
        parts.append(case.intake.requester_name or "")
    parts.append(case.ticket.requester.name or "")
    return "\n".join(parts)


def _novel_sentences(text: str, known_words: set[str]) -> Iterable[str]:
    for sentence in _SENTENCE.findall(text):
        content = [w for w in _words(sentence) if len(w) >= 4 and w not in TONE_WORDS]
        if len(content) < 5:
            continue
        grounded = sum(1 for w in content if w in known_words)
        if grounded / len(content) < 0.34:
            yield sentence.strip()


def _new_names(text: str, known_words: set[str]) -> Iterable[str]:
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not word[0].isupper() or word.lower() in known_words or word.lower() in _ALWAYS_ALLOWED_NAMES:
            continue
        if _SENTENCE_START.search(text[: match.start()]):
            continue
        yield word


def grounding_violations(rewritten: str, draft: Draft, case: CaseFile) -> list[str]:
    """Why `rewritten` is not grounded in the draft and the evidence; empty when it is."""
    corpus = grounding_corpus(draft, case)
    known_numbers = _numbers(corpus)
    known_ids = _identifiers(corpus)
    known_words = _words(corpus)
    known_months = _months_in(corpus)
    violations: list[str] = []
    violations += [f"adds number {n}" for n in sorted(_numbers(rewritten) - known_numbers)]
    violations += [f"adds identifier {i}" for i in sorted(_identifiers(rewritten) - known_ids)]
    words = _words(rewritten)
    violations += [f"adds date {w}" for w in sorted(words) if w in MONTHS and MONTHS[w] not in known_months]
    violations += [f"adds time reference {w}" for w in sorted((words & RELATIVE_TIME) - known_words)]
    violations += [f"adds commitment {w}" for w in sorted((words & COMMITMENTS) - known_words)]
    if draft.language in _ENTITY_CASE_LANGUAGES:
        violations += [f"adds name {w}" for w in dict.fromkeys(_new_names(rewritten, known_words))]
    violations += [f"adds claim: {s}" for s in _novel_sentences(rewritten, known_words)]
    claim_text = " ".join(c.text for c in draft.claims)
    rewritten_numbers, rewritten_ids = _numbers(rewritten), _identifiers(rewritten)
    violations += [f"drops number {n}" for n in sorted(_numbers(claim_text) - rewritten_numbers)]
    violations += [f"drops identifier {i}" for i in sorted(_identifiers(claim_text) - rewritten_ids)]
    if len(rewritten) > 3 * len(draft.customer_reply) + 200:
        violations.append("much longer than the draft")
    return violations


SYSTEM_PROMPT = (
    "You rewrite a technical support reply so it reads warmly and clearly. Write in the language "
    "with code {language}. Use only the facts given: do not add any number, date, time, name, "
    "identifier, product feature, promise, refund or cause that is not in the input, and keep every "
    "number and identifier from the claims exactly as written. Keep the structure: greeting, what was "
    "found, what is still uncertain, the next step, sign-off. Return only the reply text."
)


def rewrite_prompt(draft: Draft) -> tuple[str, str]:
    """The system and user prompts: structured claims plus the deterministic reply, nothing internal."""
    user = json.dumps(
        {
            "claims": [c.text for c in draft.claims],
            "uncertain": draft.uncertain,
            "next_action": draft.next_action,
            "reply": draft.customer_reply,
        },
        ensure_ascii=False,
        indent=2,
    )
    return SYSTEM_PROMPT.format(language=draft.language), user


def _with_note(draft: Draft, line: str) -> str:
    return (draft.internal_note + "\n" if draft.internal_note else "") + line


async def rewrite(draft: Draft, case: CaseFile, provider: Provider | None) -> Draft:
    """Rewrite the reply for tone if a provider is configured; the deterministic draft stands on
    any provider failure or grounding violation."""
    if provider is None:
        return draft
    system, user = rewrite_prompt(draft)
    try:
        rewritten = await provider.complete(system, user)
    except ProviderError as exc:
        note = _with_note(draft, f"LLM rewrite ({provider.name}) unavailable, template reply kept: {exc}")
        return draft.model_copy(update={"internal_note": note})
    violations = grounding_violations(rewritten, draft, case)
    if violations:
        note = _with_note(
            draft, f"LLM rewrite ({provider.name}) rejected by grounding check: " + "; ".join(violations[:5])
        )
        return draft.model_copy(
            update={"grounding_rejections": draft.grounding_rejections + 1, "internal_note": note}
        )
    safe_text, redactions = redact(rewritten, tenant_scope(case))
    return draft.model_copy(
        update={
            "customer_reply": safe_text,
            "generator": f"llm:{provider.name}",
            "redactions": redactions,
        }
    )
