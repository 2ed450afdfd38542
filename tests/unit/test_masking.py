"""Credential masking: detect-secrets' detectors on top of the domain's patterns and our rules."""

from __future__ import annotations

import re

import pytest

from supportflow.masking import domain_rules, mask_secrets_counted

DOMAIN = domain_rules([(re.compile(r"\bzz_live_[A-Za-z0-9]{24}\b"), 12)])


def masked(text: str) -> str:
    return mask_secrets_counted(text, DOMAIN)[0]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        # keyword assignments as pasted from .env files and configs
        ("SMTP_PASSWORD=Qv7rTnw2LpZs", "Qv7rTnw2LpZs"),
        ("db_pass: Kelp-Harbor-41", "Kelp-Harbor-41"),
        # a quoted high-entropy string, whatever its name
        (
            'signing = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"',
            "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5",
        ),
        # known services' token shapes
        ("ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
        ("xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "AbCdEfGhIjKlMnOpQrStUvWx"),
    ],
)
def test_detect_secrets_finds_what_no_rule_of_ours_names(text: str, secret: str) -> None:
    out, count = mask_secrets_counted(text, DOMAIN)
    assert secret not in out and count >= 1


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("o meu acesso: a senha é Pardal_Azul55", "Pardal_Azul55"),
        ("la password è Gabbiano#2026", "Gabbiano#2026"),
        ("het wachtwoord is Meeuw-Noord7", "Meeuw-Noord7"),
        ("das Passwort war Elster!88 bis gestern", "Elster!88"),
        # a few words between the password and its verb
        ("o usuário é SVC e a senha configurada é Garça!7Rio", "Garça!7Rio"),
        ("the password of the service user is Heron_44", "Heron_44"),
        # ... or after a colon that ends the words about it
        (
            "la password non è corretta ma sono sicura che è giusta: Girasole!2026 (la cambio)",
            "Girasole!2026",
        ),
        # ... or in brackets after them
        ("La password è giusta (Gelato_Verde42!), quindi il problema è solo il codice", "Gelato_Verde42!"),
        ("Mein Passwort (Kiefer#2031) funktioniert im Browser", "Kiefer#2031"),
        # the words in capitals, in ASCII text and in text that is not (the words are looked for
        # in the lower-cased text, or case-blind)
        ("THE PASSWORD IS Heron_44", "Heron_44"),
        ("LA CONTRASEÑA ES Garza_Roja9", "Garza_Roja9"),
        # letters the regex engine matches to i and s without lower-casing to them
        ("the paſsword is Heron_44", "Heron_44"),
        ("THE PASSWORD İS Heron_44 (İstanbul office)", "Heron_44"),
    ],
)
def test_a_password_said_in_a_sentence_is_masked_in_the_intakes_languages(text: str, secret: str) -> None:
    assert secret not in masked(text)


def test_the_domain_secret_keeps_its_prefix_and_a_bare_prefix_after_bearer_stays() -> None:
    key = "zz_live_" + "Ab12Cd34Ef56Gh78Ij90Kl12"
    out, _ = mask_secrets_counted(f"key {key} / Bearer zz_live_Ab12", DOMAIN, [re.compile(r"zz_live_\w{4}")])
    assert key not in out
    assert "zz_live_Ab12…[redacted]" in out
    assert out.endswith("Bearer zz_live_Ab12")


@pytest.mark.parametrize(
    "text",
    [
        "my password is expired since Monday",
        "my password stopped working yesterday: INVALID_CREDENTIALS",
        "the password reset page says: 401, the link leads to: https://app.example.com/reset?t=abc123",
        "the password for the admin account was changed on Monday",
        "the password reset mail (sent at 10:15) never came, nor the one (from 11:40)",
        "my password stopped working (INVALID_CREDENTIALS) since the update",
        "Request req_0123456789abcdef failed on ws_ab12cd at api.example.com (10.0.0.12)",
        "SeaMonkey 2.53 on Windows; https://bugzilla.example.org/show_bug.cgi?id=1234567",
    ],
)
def test_ordinary_support_text_is_left_alone(text: str) -> None:
    out, count = mask_secrets_counted(text, DOMAIN)
    assert (out, count) == (text, 0)


def test_a_domain_key_already_cut_to_its_prefix_keeps_the_prefix_in_an_assignment() -> None:
    key = "zz_live_" + "Ab12Cd34Ef56Gh78Ij90Kl12"
    for line in (f'API_KEY = "{key}"', f"api_key: {key}", f"token={key}"):
        assert "zz_live_Ab12…[redacted]" in masked(line), line
