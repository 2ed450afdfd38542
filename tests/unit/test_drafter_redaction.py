"""Nothing internal, secret or another tenant's reaches the customer text — checked on the final text."""

from __future__ import annotations

import pytest
from casefactory import decided_case, evidence

from services.drafter.draft import draft
from services.drafter.redaction import redact, tenant_scope
from supportflow.masking import mask_secrets, mask_secrets_counted

API_KEY = "lk_live_9x2a7bq3k8m1n5p0r4t6v2w9y3z8c1d5"  # lk_live_ + 32
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMTIzIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
CARD = "4111 1111 1111 1111"  # Luhn-valid test number


@pytest.mark.parametrize(
    ("planted", "leak"),
    [
        (f"my key is {API_KEY}", API_KEY),
        (f"Authorization: Bearer {JWT}", JWT),
        ("Authorization: Bearer abcdef0123456789abcdef", "abcdef0123456789abcdef"),
        (f"token {JWT} here", JWT),
        ("password: hunter2!x", "hunter2!x"),
        ('api_key="s3cr3t-value-77"', "s3cr3t-value-77"),
        (f"card {CARD} was charged", CARD),
        ("AKIAIOSFODNN7EXAMPLE is the key", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
        ("sk-proj-abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"),
        ("db at postgres://app:Sup3rSecret@db.example:5432/x", "Sup3rSecret"),
    ],
)
def test_mask_secrets(planted: str, leak: str) -> None:
    masked, count = mask_secrets_counted(planted)
    assert leak not in masked
    assert count >= 1


def test_api_key_keeps_its_public_prefix() -> None:
    assert mask_secrets(API_KEY).startswith("lk_live_9x2a")


def test_card_numbers_need_a_valid_luhn_checksum() -> None:
    assert "4111 1111 1111 1112" in mask_secrets("ref 4111 1111 1111 1112")
    assert mask_secrets("request took 1714658700 ms") == "request took 1714658700 ms"


def test_mask_secrets_keeps_ordinary_text() -> None:
    text = "Your plan allows 10 exports per day; the password policy is set by your admin."
    assert mask_secrets(text) == text


def test_internal_hosts_addresses_and_stack_traces_are_removed() -> None:
    case = decided_case("plan_limit")
    text = (
        "Failed calling exports-api.prod.svc.cluster.local:8080 and ip-10-0-3-12.eu-west-1.compute.internal\n"
        "from 10.2.14.7 and 192.168.1.20\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/export.py", line 42, in run\n'
        "    raise LimitError()\n"
        "LimitError: plan limit\n"
        "java.lang.IllegalStateException: boom\n"
        "    at com.lumen.exports.Runner.run(Runner.java:88)\n"
        "Please try again."
    )
    clean, count = redact(text, tenant_scope(case))
    for leak in (
        "svc.cluster.local",
        "compute.internal",
        "10.2.14.7",
        "192.168.1.20",
        "export.py",
        "Runner.java",
    ):
        assert leak not in clean
    assert "Please try again." in clean
    assert count >= 5


OTHER_TENANT = {
    "account": "acc_zz99xx",
    "email": "cfo@northwind.example",
    "name": "Northwind Traders",
    "workspace": "ws_nw0001",
}


def test_cross_tenant_data_never_reaches_the_reply() -> None:
    """A ticket naming another customer's account, evidence that mentions them, and a pasted key."""
    leaky_safe = evidence(
        "ev_40",
        "logs.custom_lookup",  # no template: the claim falls back to the observed text verbatim
        hypothesis_id="h_main",
        observed=(
            f"Requests by {OTHER_TENANT['email']} on {OTHER_TENANT['account']} used key {API_KEY} "
            "via gateway-3.internal; Traceback (most recent call last):"
        ),
    )
    internal = evidence(
        "ev_41",
        "logs.error_spike",
        hypothesis_id="h_main",
        customer_safe=False,
        facts={"account_name": OTHER_TENANT["name"], "account_id": OTHER_TENANT["account"]},
        observed=f"Same errors for {OTHER_TENANT['name']} ({OTHER_TENANT['account']}, {OTHER_TENANT['workspace']})",
    )
    case = decided_case(
        "plan_limit",
        extra_evidence=[leaky_safe, internal],
        identity_status="mismatch",
        intake_overrides={
            "identifiers": {
                "account_id": OTHER_TENANT["account"],
                "workspace_id": OTHER_TENANT["workspace"],
                "user_email": OTHER_TENANT["email"],
            }
        },
        body=f"Please check {OTHER_TENANT['account']} for {OTHER_TENANT['email']}, key {API_KEY}",
    )
    assert case.decision is not None
    case.decision.cited_evidence.append("ev_40")
    result = draft(case)
    reply = result.customer_reply
    for leak in (*OTHER_TENANT.values(), API_KEY, "gateway-3.internal", "Traceback"):
        assert leak not in reply, leak
        assert all(leak not in c.text for c in result.claims), leak
    assert result.redactions >= 4
    # the requester's own facts still reach them
    assert "10 exports per day" in reply
    # the note keeps hostnames and other accounts for the agent, never the secret
    assert API_KEY not in result.internal_note
    assert OTHER_TENANT["account"] in result.internal_note


def test_deny_list_is_built_from_the_case() -> None:
    internal = evidence(
        "ev_50",
        "users.lookup",
        customer_safe=False,
        facts={"user_email": "other@elsewhere.example", "count": "3"},
        observed="user other@elsewhere.example belongs to acc_qq11ww",
    )
    scope = tenant_scope(decided_case("plan_limit", extra_evidence=[internal]))
    assert "other@elsewhere.example" in scope.denied
    assert "acc_qq11ww" in scope.denied
    assert "acc_7f3k2q" in scope.allowed
    assert "maria.lopez@brightline.example" in scope.allowed
    assert "3" not in scope.denied


def test_own_identifiers_survive_redaction() -> None:
    case = decided_case("wrong_workspace")
    reply = draft(case).customer_reply
    assert "ws_mk29ap" in reply and "ws_ab12cd" in reply


def test_unknown_identifiers_and_emails_are_masked() -> None:
    scope = tenant_scope(decided_case("plan_limit"))
    clean, count = redact("ask bob@stranger.example about acc_unkn0w", scope)
    assert "bob@stranger.example" not in clean and "acc_unkn0w" not in clean
    assert count == 2


def test_the_example_identifier_in_an_intake_question_is_not_redacted() -> None:
    case = decided_case(None, decision_class="needs_info")
    question = "Which workspace is affected? Please send its URL or ID (it looks like ws_ab12cd)."
    assert case.intake is not None
    case = case.model_copy(
        update={
            "intake": case.intake.model_copy(
                update={"questions": [question], "missing": ["workspace_id"], "identifiers": {}}
            )
        }
    )
    reply = draft(case).customer_reply
    assert question in reply
    assert "[redacted]" not in reply
