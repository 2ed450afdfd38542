"""Patterns from resolved cases, the similar-case index and the priors it gives the investigator."""

from __future__ import annotations

from datetime import timedelta

from casefactory import RECEIVED, decided_case, intake, resolved

from services.drafter.draft import draft
from services.learner.patterns import ANSWER_REVISION, learn
from supportflow.events import CaseFile, ErrorSignature, Pattern
from supportflow.similarity import PatternIndex, intake_features, pattern_id_for, signature_text, terms


def _drafted(cause: str, ticket_id: str = "T-1") -> CaseFile:
    case = decided_case(cause, ticket_id=ticket_id)
    case.draft = draft(case)
    return case


def _resolve(case: CaseFile, **overrides: object) -> list[Pattern]:
    assert case.decision is not None and case.draft is not None
    fields: dict[str, object] = {
        "final_class": case.decision.decision_class,
        "final_cause": case.decision.cause,
        "final_reply": case.draft.customer_reply,
    }
    fields.update(overrides)
    return learn(resolved(case.ticket_id, **fields), case, {})  # type: ignore[arg-type]


def test_terms_drop_ids_numbers_and_stopwords() -> None:
    assert terms("The export of dsh_a81kq2 fails with PLAN_LIMIT_REACHED 403 for acc_7f3k2q") == [
        "export",
        "fail",
        "plan_limit_reached",
    ]


def test_signature_and_features_from_intake() -> None:
    section = intake(
        "plan_limit",
        error_signatures=[ErrorSignature(kind="error_code", value="PLAN_LIMIT_REACHED")],
        identifiers={"account_id": "acc_7f3k2q", "integration": "salesforce"},
    )
    features = intake_features(section)
    assert features == {
        "problem_type": "export_failed",
        "error_code": "PLAN_LIMIT_REACHED",
        "integration": "salesforce",
    }
    text = signature_text(section)
    assert "plan_limit_reached" in text.split() and "acc_7f3k2q" not in text


def test_ids_of_any_product_are_case_specific_but_codes_and_statuses_are_not() -> None:
    """Ids are dropped by their shape whichever product writes them (not by one product's
    prefixes), and the ids the intake found are dropped whatever their shape; error codes, the
    status feature and the integration stay."""
    assert terms("org_48213377 and mbr_0a1b2c3d4e and km_live_Ab12Cd got http_429 for quota_exceeded_v2") == [
        "got",
        "http_429",
        "quota_exceeded_v2",
    ]
    section = intake(
        "plan_limit",
        problem_statement="Sending through tmpl_order_confirm for shop.example.org fails",
        error_signatures=[ErrorSignature(kind="error_code", value="domain_not_verified")],
        identifiers={
            "template_id": "tmpl_order_confirm",
            "sending_domain": "shop.example.org",
            "error_code": "domain_not_verified",
            "integration": "salesforce",
        },
    )
    words = signature_text(section).split()
    assert "domain_not_verified" in words and "sending" in words
    assert not {"tmpl_order_confirm", "shop", "example", "org"} & set(words)
    # an ordinary word inside an id still counts where it stands on its own
    mail = section.model_copy(
        update={
            "problem_statement": "Mail delivery to shop.example.org customers is delayed",
            "identifiers": {"sending_domain": "mail.shop.example.org"},
        }
    )
    assert {"mail", "delivery", "delayed"} <= set(signature_text(mail).split())
    assert intake_features(section)["integration"] == "salesforce"


def test_new_pattern_from_a_resolved_case() -> None:
    case = _drafted("plan_limit")
    (pattern,) = _resolve(case)
    assert pattern.pattern_id == pattern_id_for(case.intake, "expected_behavior", "plan_limit")  # type: ignore[arg-type]
    assert pattern.pattern_id.startswith("pat_")
    assert pattern.decision_class == "expected_behavior" and pattern.cause == "plan_limit"
    assert pattern.checks == [
        "identity.requester_membership",
        "account.plan_limits",
        "events.rejected_actions",
        "incidents.open_incidents",
    ]
    assert pattern.confirming_check == "account.plan_limits"
    assert pattern.answer_example == case.draft.customer_reply  # type: ignore[union-attr]
    assert pattern.features[ANSWER_REVISION] == "0.000"
    assert pattern.support == 1 and pattern.ticket_ids == ["T-1"]
    assert pattern.updated_at == RECEIVED


def test_pattern_id_is_deterministic_and_keyed_by_final_outcome() -> None:
    section = intake("plan_limit")
    assert pattern_id_for(section, "expected_behavior", "plan_limit") == pattern_id_for(
        intake("plan_limit"), "expected_behavior", "plan_limit"
    )
    assert pattern_id_for(section, "expected_behavior", "plan_limit") != pattern_id_for(
        section, "product_defect", "deploy_regression"
    )


def test_misroute_learns_the_final_class_and_its_confirming_check() -> None:
    case = _drafted("plan_limit")
    (pattern,) = _resolve(case, final_class="incident", final_cause="open_incident")
    assert pattern.decision_class == "incident" and pattern.cause == "open_incident"
    assert pattern.confirming_check is None  # the investigation never confirmed it


def test_second_case_updates_the_pattern_and_keeps_the_least_edited_answer() -> None:
    first = _drafted("plan_limit", "T-1")
    edited_reply = "Hello Maria, you hit the export cap. Upgrade to get more. Regards"
    (pattern,) = _resolve(first, final_reply=edited_reply, draft_edited=True)
    assert float(pattern.features[ANSWER_REVISION]) > 0.3
    second = _drafted("plan_limit", "T-2")
    assert second.draft is not None
    later = resolved(
        "T-2",
        final_class="expected_behavior",
        final_cause="plan_limit",
        final_reply=second.draft.customer_reply,
        at=RECEIVED + timedelta(hours=1),
    )
    (updated,) = learn(later, second, {pattern.pattern_id: pattern})
    assert updated.pattern_id == pattern.pattern_id
    assert updated.support == 2
    assert updated.ticket_ids == ["T-1", "T-2"]
    assert updated.answer_example == second.draft.customer_reply
    assert updated.features[ANSWER_REVISION] == "0.000"
    assert updated.updated_at == RECEIVED + timedelta(hours=1)


def test_redelivered_resolution_changes_nothing_but_a_reopen_counts() -> None:
    case = _drafted("plan_limit")
    (pattern,) = _resolve(case)
    again = resolved("T-1", final_class="expected_behavior", final_cause="plan_limit")
    assert learn(again, case, {pattern.pattern_id: pattern}) == []
    reopened = resolved("T-1", final_class="expected_behavior", final_cause="plan_limit", reopened=True)
    (updated,) = learn(reopened, case, {pattern.pattern_id: pattern})
    assert updated.reopened == 1 and updated.support == 1


def test_reopened_reply_is_not_an_answer_example_and_secrets_are_masked() -> None:
    case = _drafted("plan_limit")
    (reopened,) = _resolve(case, reopened=True)
    assert reopened.answer_example is None
    (masked,) = _resolve(case, final_reply="Use password: hunter2 to log in")
    assert "hunter2" not in (masked.answer_example or "")


def test_without_the_case_trail_nothing_is_learned() -> None:
    assert learn(resolved("T-9"), None, {}) == []


def _pattern(pattern_id: str, signature: str, cause: str, **fields: object) -> Pattern:
    return Pattern(
        pattern_id=pattern_id,
        signature=signature,
        decision_class="expected_behavior",
        cause=cause,
        updated_at=RECEIVED,
        **fields,
    )


def _index() -> PatternIndex:
    index = PatternIndex()
    index.add(
        _pattern(
            "p_limit",
            "export csv fails plan_limit_reached daily limit",
            "plan_limit",
            features={"problem_type": "export_failed"},
            support=5,
        )
    )
    index.add(
        _pattern("p_perm", "cannot edit dashboard permission_denied role", "missing_permission", support=3)
    )
    index.add(_pattern("p_sso", "sso login fails sso_assertion_invalid okta", "sso_config_change"))
    index.add(_pattern("p_delay", "scheduled export arrives late hourly", "documented_delay", support=2))
    return index


def test_similar_ranks_the_matching_pattern_first() -> None:
    index = _index()
    query = intake("plan_limit", problem_statement="CSV export keeps failing: PLAN_LIMIT_REACHED")
    results = index.similar(query, k=3)
    assert results[0][0].pattern_id == "p_limit"
    assert 0.0 < results[0][1] <= 1.0
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)
    assert index.similar(intake(None, problem_statement="zzz qqq", problem_type=None, action=None), k=3) == []


def test_feature_overlap_breaks_text_ties() -> None:
    index = PatternIndex()
    index.add(_pattern("a", "export fails", "plan_limit", features={"problem_type": "export_failed"}))
    index.add(_pattern("b", "export fails", "open_incident", features={"problem_type": "server_error"}))
    query = intake("plan_limit", problem_statement="export fails", action=None)
    assert [p.pattern_id for p, _ in index.similar(query)] == ["a", "b"]


def test_add_replaces_and_remove_forgets() -> None:
    index = _index()
    index.add(_pattern("p_limit", "sso login okta", "sso_config_change"))
    assert len(index) == 4
    query = intake("plan_limit", problem_statement="export PLAN_LIMIT_REACHED")
    assert all(p.pattern_id != "p_limit" for p, _ in index.similar(query))
    index.remove("p_perm")
    assert "p_perm" not in index and len(index) == 3
    index.add(_pattern("p_new", "cannot edit dashboard permission_denied", "missing_permission"))
    assert index.get("p_new") is not None and len(index) == 4


def test_priors_favour_the_causes_of_similar_cases() -> None:
    index = _index()
    priors = index.priors(intake("plan_limit", problem_statement="export fails PLAN_LIMIT_REACHED"))
    assert abs(sum(priors.values()) - 1.0) < 1e-9
    assert max(priors, key=lambda c: priors[c]) == "plan_limit"
    assert index.priors(intake(None, problem_statement="zzz", problem_type=None, action=None)) == {}


def test_reopened_patterns_weigh_less_in_priors() -> None:
    index = PatternIndex()
    index.add(_pattern("a", "export fails", "plan_limit", support=4, reopened=4))
    index.add(_pattern("b", "export fails", "open_incident", support=4))
    priors = index.priors(intake(None, problem_statement="export fails", problem_type=None, action=None))
    assert priors["open_incident"] > priors["plan_limit"]


def test_lookup_finds_the_rare_match_among_many() -> None:
    index = PatternIndex()
    for n in range(2000):
        index.add(_pattern(f"noise_{n}", f"export fails dashboard slow word{n % 97}", "open_incident"))
    index.add(_pattern("needle", "export fails snowflake upstream_unavailable", "integration_outage"))
    query = intake(None, problem_statement="snowflake export fails UPSTREAM_UNAVAILABLE", problem_type=None)
    assert index.similar(query, k=1)[0][0].pattern_id == "needle"


def test_an_identical_signature_scores_the_full_text_weight() -> None:
    index = PatternIndex()
    index.add(_pattern("same", "export fails plan limit reached csv", "plan_limit", features={}))
    index.add(_pattern("other", "login sso saml assertion invalid", "sso_config_change", features={}))
    [(best, score)] = index.similar_to("export fails plan limit reached csv", {}, k=1)
    assert best.pattern_id == "same"
    assert abs(score - 0.7) < 1e-6  # text weight 0.7 × a perfect text match; no features to overlap


def test_replaced_patterns_are_compacted_away_and_lookups_stay_right() -> None:
    index = PatternIndex()
    for round_ in range(3):  # every pattern replaced twice: 2 × 1500 retired documents
        for n in range(1500):
            cause = "plan_limit" if (n + round_) % 2 else "open_incident"
            index.add(_pattern(f"p_{n}", f"export fails word{n} round{round_}", cause))
    assert len(index) == 1500
    assert len(index._ids) < 2 * 1500, "retired documents were dropped"
    [(best, _)] = index.similar_to("export fails word7 round2", {}, k=1)
    assert best.pattern_id == "p_7" and best.cause == "plan_limit"
    assert index.similar_to("round0", {}, k=5) == []
    assert index["p_8"].signature == "export fails word8 round2"


def test_a_held_pattern_reads_back_equal() -> None:
    from supportflow.pattern_store import PatternStore

    pattern = _pattern(
        "p_1",
        "export fails",
        "plan_limit",
        features={"problem_type": "export_failed"},
        checks=["account.plan_limits"],
        answer_example="Your plan allows 20 exports per day.",
        ticket_ids=["T-1", "T-2"],
        support=2,
    )
    store = PatternStore()
    store.add(pattern)
    index = PatternIndex()
    index.add(pattern)
    assert store["p_1"] == pattern and index["p_1"] == pattern
    assert store["p_1"].updated_at == pattern.updated_at and dict(store) == {"p_1": pattern}


def test_replaced_versions_do_not_weigh_in_the_scores() -> None:
    fresh, updated = _index(), PatternIndex()
    for version in range(5):  # earlier versions of the same patterns, since replaced
        updated.add(_pattern("p_limit", f"export limit v{version} plan_limit_reached", "plan_limit"))
        updated.add(_pattern("p_perm", "export dashboard permission_denied role limit", "missing_permission"))
    for pattern_id in fresh:
        updated.add(fresh[pattern_id])
    query = intake("plan_limit", problem_statement="CSV export keeps failing: PLAN_LIMIT_REACHED")
    assert updated.similar(query, k=4) == fresh.similar(query, k=4)
