"""A drafted reply never contradicts itself: incident tense follows the incident's status, a
cause is never both claimed and ruled out, and "not checked" names only what this ticket's
investigation could still check. `contradictions()` finds each kind; `draft()` leaves none."""

from __future__ import annotations

import pytest
from casefactory import decided_case, evidence

from services.drafter.consistency import contradictions
from services.drafter.draft import draft
from supportflow.events import CaseFile, Claim, Draft, Hypothesis, InvestigationSection

LANGUAGES = ("en", "de", "fr", "es")


def with_incident_status(status: str, language: str = "en") -> CaseFile:
    case = decided_case("open_incident", language=language)
    assert case.investigation is not None
    items = [
        e.model_copy(update={"facts": e.facts | {"status": status}}) if "incident_id" in e.facts else e
        for e in case.investigation.evidence
    ]
    return case.model_copy(
        update={"investigation": case.investigation.model_copy(update={"evidence": items})}
    )


def rules(case: CaseFile, written: Draft) -> list[str]:
    return [c.rule for c in contradictions(case, written)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_resolved_incident_is_spoken_of_in_the_past(language: str) -> None:
    case = with_incident_status("resolved", language)
    written = draft(case)
    assert rules(case, written) == []
    if language == "en":
        reply = written.customer_reply
        assert "This was caused by an incident on our side, which is now resolved: Exports delayed." in reply
        assert (
            "ongoing" not in reply and "working on the incident" not in reply and "has been open" not in reply
        )
        assert "Please try again" in reply


def test_a_resolved_incidents_next_step_is_its_causes_when_the_domain_writes_one() -> None:
    """Once over, an incident's next step is the generic "please try again" unless the domain says
    what follows for its cause (`<cause>:resolved`: a mail provider's deferral needs nothing, and
    resending would send twice)."""
    from dataclasses import replace

    from services.drafter import templates as t

    case = with_incident_status("resolved")
    steps = {"open_incident:resolved": {"en": ("Nothing to do: the delayed exports were delivered.",)}}
    own = replace(t.active(), NEXT_ACTIONS={**t.active().NEXT_ACTIONS, **steps})
    reply = draft(case, replies=own).customer_reply
    assert "Nothing to do: the delayed exports were delivered." in reply and "Please try again" not in reply
    assert "Please try again" in draft(case).customer_reply
    ongoing = draft(with_incident_status("investigating"), replies=own).customer_reply
    assert "Nothing to do" not in ongoing


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_ongoing_incident_keeps_the_present_tense(language: str) -> None:
    case = with_incident_status("investigating", language)
    written = draft(case)
    assert rules(case, written) == []
    if language == "en":
        assert "ongoing incident" in written.customer_reply
        assert "Our team is working on the incident" in written.customer_reply


def test_the_check_finds_an_ongoing_sentence_about_a_resolved_incident() -> None:
    case = with_incident_status("resolved")
    ongoing = draft(with_incident_status("investigating"))
    found = contradictions(case, ongoing)
    assert {c.rule for c in found} == {"incident_tense"}
    sentences = " ".join(c.sentence for c in found)
    assert "ongoing incident" in sentences and "Our team is working on the incident" in sentences
    assert "has been open since" in sentences


def deploy_finding_of_a_refuted_hypothesis() -> CaseFile:
    """Unclear; a deploy happened (supports), but the errors did not follow it (contradicts)."""
    case = decided_case(None, decision_class="unclear")
    assert case.investigation is not None
    deploy = evidence(
        "ev_5",
        "changes.recent_deploys",
        hypothesis_id="h_deploy",
        facts={"component": "dashboards", "deployed_at": "2024-05-02T10:12:00Z"},
    )
    spike = evidence("ev_6", "logs.error_spike", verdict="contradicts", hypothesis_id="h_deploy")
    refuted = Hypothesis(
        hypothesis_id="h_deploy",
        title="Deploy regression",
        decision_class="product_defect",
        cause="deploy_regression",
        verdict="refuted",
        evidence_ids=["ev_5", "ev_6"],
    )
    investigation = case.investigation.model_copy(
        update={
            "evidence": [*case.investigation.evidence, deploy, spike],
            "hypotheses": [*case.investigation.hypotheses, refuted],
        }
    )
    return case.model_copy(update={"investigation": investigation})


def test_a_ruled_out_cause_gets_no_finding_for_it() -> None:
    case = deploy_finding_of_a_refuted_hypothesis()
    written = draft(case)
    assert rules(case, written) == []
    assert "We ruled out a problem from a recent release." in written.customer_reply
    assert "We released a change" not in written.customer_reply


def test_the_check_finds_a_cause_both_claimed_and_ruled_out() -> None:
    case = deploy_finding_of_a_refuted_hypothesis()
    both = Draft(
        customer_reply="x",
        claims=[
            Claim(
                text="We released a change to dashboards shortly before the errors started.",
                evidence_ids=["ev_5"],
            ),
            Claim(text="We ruled out a problem from a recent release.", evidence_ids=["ev_6"]),
        ],
    )
    found = contradictions(case, both)
    assert [(c.rule, c.sentence) for c in found] == [
        ("claimed_and_ruled_out", "We released a change to dashboards shortly before the errors started.")
    ]


def test_the_drafter_drops_a_rule_out_of_the_decided_cause() -> None:
    """A second hypothesis with the decided cause was refuted: its rule-out would deny the decision."""
    case = decided_case("plan_limit")
    assert case.investigation is not None
    twin = Hypothesis(
        hypothesis_id="h_twin",
        title="Plan limit (seats)",
        decision_class="expected_behavior",
        cause="plan_limit",
        verdict="refuted",
        evidence_ids=["ev_7"],
    )
    refuting = evidence("ev_7", "account.plan_limits", verdict="contradicts", hypothesis_id="h_twin")
    investigation = case.investigation.model_copy(
        update={
            "evidence": [*case.investigation.evidence, refuting],
            "hypotheses": [*case.investigation.hypotheses, twin],
        }
    )
    case = case.model_copy(update={"investigation": investigation})
    written = draft(case)
    assert rules(case, written) == []
    assert "We ruled out a plan limit" not in written.customer_reply
    assert "We ruled out an ongoing incident." in written.customer_reply  # the real rival stays


def nothing_checked(language: str = "en") -> CaseFile:
    """An unverified requester: no check ran, every hypothesis of the playbook is untested."""
    case = decided_case(None, decision_class="unclear", identity_status="unverified", language=language)
    untested = [
        Hypothesis(hypothesis_id=f"h_{cause}", title=cause, decision_class="configuration_issue", cause=cause)
        for cause in ("sso_config_change", "plan_limit", "feature_flag_off", "deploy_regression")
    ]
    investigation = InvestigationSection(
        identity_status="unverified",
        identity_note="the requester is not a member of the account",
        hypotheses=untested,
        evidence=[evidence("ev_0", "identity.requester_membership", verdict="contradicts")],
    )
    return case.model_copy(update={"investigation": investigation})


@pytest.mark.parametrize("language", LANGUAGES)
def test_with_no_check_run_the_reply_lists_no_unchecked_causes(language: str) -> None:
    case = nothing_checked(language)
    written = draft(case)
    assert rules(case, written) == []
    assert written.uncertain == []
    if language == "en":
        assert "We could not check the likely causes yet" in written.customer_reply
        assert "We checked the likely causes" not in written.customer_reply
        assert "SSO" not in written.customer_reply
        assert "We have passed your case to our second-level support team" in written.customer_reply
        assert "checks above" not in written.customer_reply


def test_the_check_finds_unchecked_causes_and_checks_that_never_ran() -> None:
    case = nothing_checked()
    old = Draft(
        customer_reply="Hi,\n\nWe checked the likely causes, and none of them explains what you see yet.\n\n"
        "What we could not confirm yet:\n- We have not checked a change to your SSO configuration yet.\n"
        "- We have not checked a plan limit yet.\n\nNext step: We have passed your case, with the checks "
        "above, to our second-level support team; they will reply on this ticket with what they find.",
    )
    found = contradictions(case, old)
    assert {c.rule for c in found} == {"not_checked_beyond_playbook"}
    assert [c.sentence for c in found] == [
        "We have not checked a change to your SSO configuration yet.",
        "We have not checked a plan limit yet.",
        "We checked the likely causes, and none of them explains what you see yet.",
        "We have passed your case, with the checks above, to our second-level support team; they will "
        "reply on this ticket with what they find.",
    ]


def test_unchecked_causes_of_a_checked_case_stay_when_its_playbook_has_them() -> None:
    case = decided_case(None, decision_class="unclear")  # h_untested: feature flag, untested
    written = draft(case)
    assert rules(case, written) == []
    assert "We have not checked a feature turned off for your account yet." in written.customer_reply
    outside = written.model_copy(
        update={"customer_reply": written.customer_reply + "\n- We have not checked rate limiting yet."}
    )
    assert [c.sentence for c in contradictions(case, outside)] == ["We have not checked rate limiting yet."]
