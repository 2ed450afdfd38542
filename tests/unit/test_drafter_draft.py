"""The deterministic drafter: a reply per class, claims tied to evidence, languages, the internal note."""

from __future__ import annotations

from dataclasses import replace

import pytest
from casefactory import CLASS_OF, decided_case, evidence

from services.drafter import templates as t
from services.drafter.draft import canonical_facts, draft, format_fact, language_of
from supportflow.events import CaseFile, Evidence

ALL_CAUSES = sorted(CLASS_OF)


def _evidence_ids(case: CaseFile) -> dict[str, bool]:
    assert case.investigation is not None
    return {e.evidence_id: e.customer_safe for e in case.investigation.evidence}


@pytest.mark.parametrize("cause", ALL_CAUSES)
def test_every_claim_cites_customer_safe_evidence(cause: str) -> None:
    case = decided_case(cause)
    result = draft(case)
    ids = _evidence_ids(case)
    assert result.claims, cause
    for claim in result.claims:
        assert claim.evidence_ids, claim
        assert all(ids[i] for i in claim.evidence_ids), claim
        assert claim.text in result.customer_reply
    assert result.next_action in result.customer_reply
    assert result.generator == "template"
    assert "{" not in result.customer_reply


@pytest.mark.parametrize(
    ("cause", "facts"),
    [
        ("plan_limit", ["Starter", "10 exports per day", "10 have been used"]),
        ("missing_permission", ["viewer", "editor", "jonas@brightline.example"]),
        ("feature_flag_off", ["scheduled_reports"]),
        ("sso_config_change", ["2024-05-02 07:55 UTC", "certificate", "48"]),
        ("api_key_expired", ["lk_live_9x2a", "revoked", "2024-04-30 10:00 UTC"]),
        ("rate_limited", ["1840", "429", "5000"]),
        ("documented_delay", ["Scheduled exports run once an hour", "2024-05-02 11:00 UTC"]),
        ("wrong_workspace", ["ws_mk29ap", "ws_ab12cd"]),
        ("deploy_regression", ["dashboards", "2024-05-02 13:02 UTC", "INTERNAL_ERROR"]),
        ("open_incident", ["Exports delayed", "queued exports will complete once processing recovers"]),
        ("integration_outage", ["salesforce", "Salesforce is returning errors"]),
        ("user_deleted_data", ["tom@brightline.example", "2024-05-01 17:22 UTC"]),
    ],
)
def test_reply_states_the_specific_facts(cause: str, facts: list[str]) -> None:
    reply = draft(decided_case(cause)).customer_reply
    for fact in facts:
        assert fact in reply, (fact, reply)


def test_incident_reply_uses_the_public_message() -> None:
    reply = draft(decided_case("open_incident")).customer_reply
    assert "ongoing incident on our side: Exports delayed." in reply
    assert (
        "Status update: Exports are delayed; queued exports will complete once processing recovers." in reply
    )


def test_defect_reply_says_what_the_team_does_next() -> None:
    result = draft(decided_case("deploy_regression"))
    assert "escalated this to our engineering team" in result.next_action


def test_needs_info_asks_the_intake_questions() -> None:
    questions = ["Which workspace is this about?", "What error message did you see?"]
    case = decided_case(
        None,
        decision_class="needs_info",
        intake_overrides={
            "status": "needs_info",
            "questions": questions,
            "missing": ["action", "error_details"],
        },
    )
    result = draft(case)
    assert "1. Which workspace is this about?" in result.customer_reply
    assert "2. What error message did you see?" in result.customer_reply
    assert all(c.evidence_ids for c in result.claims)


def test_needs_info_without_intake_questions_asks_for_the_missing_identifiers() -> None:
    case = decided_case(
        None, decision_class="needs_info", language="es", intake_overrides={"missing": ["time_window"]}
    )
    reply = draft(case).customer_reply
    assert "¿Cuándo ocurrió" in reply


def test_unclear_reply_lists_what_was_ruled_out_and_what_is_uncertain() -> None:
    case = decided_case(None, decision_class="unclear", confidence=0.3)
    result = draft(case)
    assert any("ruled out an ongoing incident" in c.text for c in result.claims)
    assert any("feature turned off" in u for u in result.uncertain)
    assert "second-level support team" in result.next_action


def test_unavailable_and_neutral_evidence_is_reported_as_uncertain() -> None:
    extra = [
        evidence("ev_20", "logs.error_spike", verdict="unavailable", hypothesis_id="h_main"),
        evidence("ev_21", "events.rejected_actions", verdict="neutral", hypothesis_id="h_main"),
    ]
    result = draft(decided_case("plan_limit", extra_evidence=extra))
    assert "We could not read the request logs when we checked." in result.uncertain
    assert "Your product activity showed nothing conclusive." in result.uncertain
    assert "What we could not confirm yet:" in result.customer_reply


@pytest.mark.parametrize(
    ("language", "greeting", "heading", "limit"),
    [
        ("en", "Hi Maria,", "What we found:", "10 exports per day"),
        ("de", "Hallo Maria,", "Was wir festgestellt haben:", "10 Exporte pro Tag"),
        ("fr", "Bonjour Maria,", "Ce que nous avons constaté :", "10 exports par jour"),
        ("es", "Hola Maria:", "Lo que hemos comprobado:", "10 exportaciones al día"),
        ("pt", "Olá Maria,", "O que verificámos:", "10 exportações por dia"),
        ("it", "Gentile Maria,", "Cosa abbiamo verificato:", "10 esportazioni al giorno"),
        ("nl", "Hallo Maria,", "Wat we hebben vastgesteld:", "10 exports per dag"),
    ],
)
def test_reply_is_in_the_ticket_language(language: str, greeting: str, heading: str, limit: str) -> None:
    result = draft(decided_case("plan_limit", language=language))
    assert result.language == language
    assert result.customer_reply.startswith(greeting)
    assert heading in result.customer_reply
    assert limit in result.customer_reply


@pytest.mark.parametrize("language", ["de", "fr", "es", "pt", "it", "nl"])
@pytest.mark.parametrize("cause", ALL_CAUSES)
def test_every_cause_has_a_specific_reply_in_every_language(cause: str, language: str) -> None:
    english = draft(decided_case(cause))
    local = draft(decided_case(cause, language=language))
    assert local.language == language  # no text missing in that language (else the reply is English)
    assert local.customer_reply != english.customer_reply
    assert len(local.claims) == len(english.claims)
    assert "{" not in local.customer_reply


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "pt", "it", "nl"])
@pytest.mark.parametrize("runs", ["3", "1"])
def test_a_summary_of_delayed_runs_is_worded_in_the_ticket_language(language: str, runs: str) -> None:
    """The check's own summary (completed runs, no single object) has a text in every language, so the
    reply never quotes the check's English observation."""
    summary = evidence(
        "ev_40",
        "events.processing_delays",
        hypothesis_id="h_main",
        facts={"completed_runs": runs, "longest_delay_minutes": "52", "documented_bound_minutes": "60"},
        observed=f"{runs} delayed runs completed within 52 min (documented bound 60 min).",
    )
    result = draft(decided_case("documented_delay", language=language, extra_evidence=[summary]))
    assert result.language == language
    assert summary.observed not in result.customer_reply
    assert any(claim.evidence_ids == ["ev_40"] and "52" in claim.text for claim in result.claims)


def test_language_tags_and_unknown_languages() -> None:
    assert language_of("de-AT") == "de"
    assert language_of("xx") == "en"
    assert language_of(None) == "en"


def test_format_fact_shows_utc_times() -> None:
    assert format_fact("2024-05-02T09:12:00Z") == "2024-05-02 09:12 UTC"
    assert format_fact("2024-05-02") == "2024-05-02"
    assert format_fact("10") == "10"


def test_internal_evidence_goes_to_the_note_not_the_reply() -> None:
    internal = evidence(
        "ev_30",
        "logs.error_spike",
        hypothesis_id="h_main",
        customer_safe=False,
        facts={
            "component": "exports",
            "count": "912",
            "error_code": "INTERNAL_ERROR",
            "first_at": "2024-05-02",
        },
        observed="912 errors across acc_zz91qq and acc_7f3k2q on exports-7d9f.svc.cluster.local",
    )
    case = decided_case("plan_limit", extra_evidence=[internal])
    result = draft(case)
    assert all("ev_30" not in c.evidence_ids for c in result.claims)
    assert "912" not in result.customer_reply
    assert "acc_zz91qq" not in result.customer_reply
    assert "[ev_30] logs.error_spike supports (INTERNAL ONLY)" in result.internal_note
    assert "Decision: expected_behavior / cause plan_limit (confidence 0.90)" in result.internal_note


def test_internal_note_carries_rationale_and_escalation_packet() -> None:
    case = decided_case("deploy_regression")
    assert case.decision is not None
    case.decision.escalation_packet = (
        "Problem: dashboards 500 after deploy. Runbook: https://eng.lumen.example/esc/123"
    )
    note = draft(case).internal_note
    assert "Rationale: deploy_regression confirmed by ev_1, ev_2" in note
    assert "Escalation packet:\nProblem: dashboards 500" in note
    assert "Hypotheses:" in note


def test_draft_is_deterministic() -> None:
    case = decided_case("sso_config_change", language="fr")
    assert draft(case) == draft(case)


def test_approved_example_without_lists_gives_prose_and_is_noted() -> None:
    example = "Hi Ana, your plan allows 5 exports per day. An owner can upgrade. Best, Support"
    result = draft(decided_case("plan_limit"), approved_example=example)
    assert "\n- " not in result.customer_reply
    assert "What we found: Your Starter plan allows 10 exports per day" in result.customer_reply
    assert "Hi Ana" not in result.customer_reply
    assert example in result.internal_note


def test_investigator_fact_names_fill_the_templates() -> None:
    """The demo domain's checks state {limit: name, max: n}, {feature}, {role_before/after}, {components};
    its `fact_names` and the engine's read them under the names its texts use."""
    items = [
        evidence(
            "ev_1",
            "account.plan_limits",
            hypothesis_id="h_main",
            facts={"limit": "exports_per_day", "max": "10", "plan": "Starter", "used": "10"},
        ),
        evidence("ev_2", "account.feature_flags", hypothesis_id="h_main", facts={"feature": "exports_v2"}),
        evidence(
            "ev_3",
            "changes.role_changes",
            hypothesis_id="h_main",
            facts={
                "user": "jonas@brightline.example",
                "role_before": "editor",
                "role_after": "viewer",
                "changed_at": "2024-05-01T16:03:00Z",
            },
        ),
    ]
    case = decided_case("plan_limit", extra_evidence=items)
    assert case.investigation is not None
    case.investigation.evidence = [
        e for e in case.investigation.evidence if e.evidence_id not in ("ev_1", "ev_2")
    ][:1] + items
    reply = draft(case).customer_reply
    assert "Your Starter plan allows 10 exports per day, and 10 have been used." in reply
    assert "The feature exports_v2 is turned off for your account." in reply
    assert "changed from editor to viewer" in reply


def test_a_domains_fact_names_read_its_checks_facts_under_the_texts_names() -> None:
    """The names are the domain's (replies.yaml `fact_names`), not the engine's."""
    names = {"rejected_attempts": "count", "limit": "limit_name", "max": "limit"}
    facts = canonical_facts({"rejected_attempts": "3", "limit": "seats", "max": "5"}, names)
    assert (facts["count"], facts["limit_name"], facts["limit"]) == ("3", "seats", "5")
    assert canonical_facts({"rejected_attempts": "3", "count": "4"}, names)["count"] == "4"  # stated wins
    assert "count" not in canonical_facts({"rejected_attempts": "3"}, {})
    engine_only = t.replies_from({}, "Acme Support").FACT_NAMES
    assert engine_only == {"components": "component"}  # the engine's own incident check's fact
    with pytest.raises(ValueError, match="fact_names"):
        t.replies_from({"fact_names": ["count"]}, "Acme Support")


def test_a_domains_labels_name_a_facts_value_in_the_reply_language_and_on_its_screens() -> None:
    from services.drafter.draft import _localized_facts

    replies = t.replies_from(
        {
            "labels": {"plan": {"team_pro": {"en": "Team Pro", "de": "Team-Pro-Tarif"}}},
            "product_language": "en",
        },
        "Acme Support",
    )
    with t.using(replies):
        german = _localized_facts({"plan": "team_pro"}, "de")
        unlisted = _localized_facts({"plan": "free_tier"}, "de")
    assert (german["plan_label"], german["plan_product_label"]) == ("Team-Pro-Tarif", "Team Pro")
    assert unlisted["plan_label"] == "free tier"  # a value without words: its name, spaced
    assert "plan_label" not in _localized_facts(
        {"plan": "team_pro"}, "de"
    )  # the active domain has no such label


def test_incident_without_a_title_still_quotes_the_public_message() -> None:
    item = evidence(
        "ev_1",
        "incidents.open_incidents",
        hypothesis_id="h_main",
        facts={
            "incident_id": "inc_1",
            "status": "investigating",
            "started_at": "2024-05-02T12:10:00Z",
            "components": "exports",
            "public_message": "Exports are delayed.",
        },
    )
    case = decided_case("open_incident")
    assert case.investigation is not None
    case.investigation.evidence = [case.investigation.evidence[0], item]
    reply = draft(case).customer_reply
    assert "This is caused by an ongoing incident on our side." in reply
    assert "Status update: Exports are delayed." in reply
    assert "An incident affecting exports has been open since 2024-05-02 12:10 UTC" in reply


def _status_page_incident(number: int, title: str, message: str) -> Evidence:
    facts = {"incident_id": f"inc_{number}", "title": title, "status": "identified",
             "started_at": "2024-05-02T12:10:00Z", "public_message": message}  # fmt: skip
    return evidence(f"ev_{number}", "incidents.open_incidents", hypothesis_id="h_main", facts=facts)


def _reply_with_claims(case: CaseFile, *templates: str) -> str:
    claims = {**t.active().CLAIMS, "incidents.open_incidents": {"en": templates}}
    with t.using(replace(t.active(), CLAIMS=claims)):
        return draft(case).customer_reply


def test_an_incident_claim_does_not_repeat_the_status_update_the_lead_quotes() -> None:
    case = decided_case("open_incident")
    assert case.investigation is not None
    case.investigation.evidence = [
        case.investigation.evidence[0],
        _status_page_incident(1, "Exports delayed", "A slow queue node."),
    ]
    said = (
        "Our status page reported {title} ({status}): {public_message}",
        "Our status page reported {title} ({status}).",
    )
    reply = _reply_with_claims(case, *said)
    assert reply.count("A slow queue node.") == 1, reply  # under the lead, as the status update
    assert "Our status page reported Exports delayed (identified)." in reply
    # another incident's own message is not the one under the lead: its claim still says it
    case.investigation.evidence.append(_status_page_incident(2, "Gmail deferrals", "Gmail defers our mail."))
    reply = _reply_with_claims(case, *said)
    assert (
        reply.count("A slow queue node.") == 1
        and "Gmail deferrals (identified): Gmail defers our mail." in reply
    )
    case.investigation.evidence.pop()
    # a claim with no template but the one naming the message still says it
    assert "reported Exports delayed (identified): A slow queue node." in _reply_with_claims(case, said[0])


def test_unclear_reply_states_what_customer_safe_checks_found() -> None:
    found = evidence(
        "ev_30",
        "logs.integration_errors",
        hypothesis_id="h_other",
        facts={"integration": "hubspot", "error_code": "UPSTREAM_UNAVAILABLE", "failed_calls": "4"},
    )
    hidden = evidence(
        "ev_31",
        "changes.recent_deploys",
        hypothesis_id="h_other",
        customer_safe=False,
        facts={"component": "db-7"},
    )
    case = decided_case(None, decision_class="unclear", confidence=0.3, extra_evidence=[found, hidden])
    result = draft(case)
    assert "do not yet settle" in result.customer_reply
    assert "hubspot" in result.customer_reply
    assert "db-7" not in result.customer_reply
    finding = next(c for c in result.claims if "hubspot" in c.text)
    assert finding.evidence_ids == ["ev_30"]


@pytest.mark.parametrize("language", ["de", "fr", "es", "pt", "it", "nl"])
def test_a_localized_limit_also_names_it_as_the_product_does(language: str) -> None:
    reply = draft(decided_case("plan_limit", language=language)).customer_reply
    assert "10 exports per day" in reply


def test_a_reply_never_switches_language_midway() -> None:
    """A language the domain lacks some text in is written wholly in English, not half-translated."""
    from services.drafter import templates as t

    case = decided_case("plan_limit", language="pt")
    check = "events.rejected_actions"
    complete = t.replies_from(
        {"claims": {check: {"en": ["Seen {count}."], "pt": ["Visto {count}."]}}}, "Acme", ("en", "pt")
    )
    english_only = t.replies_from({"claims": {check: {"en": ["Seen {count}."]}}}, "Acme", ("en", "pt"))

    local = draft(case, replies=complete)
    assert local.language == "pt"
    assert local.customer_reply.startswith("Olá Maria,")
    assert "Atenciosamente,\nAcme" in local.customer_reply

    fallen_back = draft(case, replies=english_only)
    assert fallen_back.language == "en"
    assert fallen_back.customer_reply.startswith("Hi Maria,")
    assert "Olá" not in fallen_back.customer_reply and "Próximo passo" not in fallen_back.customer_reply
