"""The grounding check: a tone rewrite may not add numbers, dates, names, ids or commitments."""

from __future__ import annotations

from dataclasses import dataclass

from casefactory import decided_case

from services.drafter.draft import draft
from services.drafter.grounding import grounding_violations, rewrite, rewrite_prompt
from supportflow.events import Draft
from supportflow.llm import ProviderError

CASE = decided_case("plan_limit")
DRAFT = draft(CASE)


def _tone(reply: str) -> str:
    """A faithful rewrite: friendlier words, the same facts."""
    return reply.replace("Hi Maria,", "Hi Maria,\n\nThanks for reaching out, and sorry for the trouble.")


def test_faithful_tone_rewrite_is_grounded() -> None:
    assert grounding_violations(_tone(DRAFT.customer_reply), DRAFT, CASE) == []


def test_rewrite_that_invents_a_number_is_rejected() -> None:
    invented = _tone(DRAFT.customer_reply) + "\nYour limit will rise to 25 exports per day."
    assert "adds number 25" in grounding_violations(invented, DRAFT, CASE)


def test_rewrite_that_invents_a_date_is_rejected() -> None:
    invented = DRAFT.customer_reply + "\nThe limit resets on Friday in December."
    violations = grounding_violations(invented, DRAFT, CASE)
    assert "adds date december" in violations
    assert "adds time reference friday" in violations


def test_rewrite_that_invents_an_identifier_name_or_commitment_is_rejected() -> None:
    invented = DRAFT.customer_reply + "\nWe checked acc_zz99xx with Kevin and will refund you."
    violations = grounding_violations(invented, DRAFT, CASE)
    assert "adds identifier acc_zz99xx" in violations
    assert "adds name Kevin" in violations
    assert "adds commitment refund" in violations


def test_rewrite_that_adds_a_new_claim_is_rejected() -> None:
    invented = (
        DRAFT.customer_reply + "\nOur database migration corrupted several customer spreadsheets yesterday."
    )
    assert any(v.startswith("adds claim") for v in grounding_violations(invented, DRAFT, CASE))


def test_rewrite_that_drops_a_proven_number_is_rejected() -> None:
    dropped = "Hi Maria,\n\nYou reached your plan's export limit.\n\nBest regards,\nLumen Analytics Support"
    assert any(v.startswith("drops number") for v in grounding_violations(dropped, DRAFT, CASE))


def test_german_nouns_are_not_mistaken_for_names() -> None:
    case = decided_case("plan_limit", language="de")
    german = draft(case)
    rewritten = german.customer_reply.replace("Hallo Maria,", "Hallo Maria,\n\nDanke für Ihre Geduld.")
    assert grounding_violations(rewritten, german, case) == []


def test_prompt_carries_claims_and_nothing_internal() -> None:
    system, user = rewrite_prompt(DRAFT)
    assert "language with code en" in system
    assert DRAFT.claims[0].text in user
    assert "Rationale" not in user and "ev_" not in user


@dataclass
class ScriptedProvider:
    reply: str | None
    name: str = "scripted"

    async def complete(self, system: str, user: str) -> str:
        if self.reply is None:
            raise ProviderError("timed out")
        return self.reply


async def test_rewrite_without_provider_keeps_the_draft() -> None:
    assert await rewrite(DRAFT, CASE, None) is DRAFT


async def test_grounded_rewrite_replaces_the_reply() -> None:
    result = await rewrite(DRAFT, CASE, ScriptedProvider(_tone(DRAFT.customer_reply)))
    assert result.customer_reply == _tone(DRAFT.customer_reply)
    assert result.generator == "llm:scripted"
    assert result.grounding_rejections == 0
    assert result.claims == DRAFT.claims


async def test_ungrounded_rewrite_leaves_the_deterministic_draft() -> None:
    invented = _tone(DRAFT.customer_reply) + "\nWe raised your limit to 50 exports per day."
    result: Draft = await rewrite(DRAFT, CASE, ScriptedProvider(invented))
    assert result.customer_reply == DRAFT.customer_reply
    assert result.generator == "template"
    assert result.grounding_rejections == 1
    assert "rejected by grounding check: adds number 50" in result.internal_note


async def test_provider_failure_leaves_the_deterministic_draft() -> None:
    result = await rewrite(DRAFT, CASE, ScriptedProvider(None))
    assert result.customer_reply == DRAFT.customer_reply
    assert result.grounding_rejections == 0
    assert "unavailable" in result.internal_note


async def test_rewritten_text_is_redacted_too() -> None:
    leaky = _tone(DRAFT.customer_reply) + "\nDebug: password: hunter2"
    result = await rewrite(DRAFT, CASE, ScriptedProvider(leaky))
    assert "hunter2" not in result.customer_reply
