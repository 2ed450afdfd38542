"""Language identification over the seven languages the intake asks questions in."""

from __future__ import annotations

import pytest

from services.intake.language import QUESTIONS, SUPPORTED, detect_language, question_for


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Since this morning nobody on our team can open the billing page.", "en"),
        ("Seit heute früh kann niemand in unserem Team die Rechnungsseite öffnen.", "de"),
        ("Depuis ce matin, personne dans l'équipe ne peut ouvrir la page de facturation.", "fr"),
        ("Desde esta mañana nadie del equipo puede abrir la página de facturación.", "es"),
        ("Desde esta manhã ninguém da equipa consegue abrir a página de faturação.", "pt"),
        ("Da stamattina nessuno del team riesce ad aprire la pagina di fatturazione.", "it"),
        ("Sinds vanochtend kan niemand in ons team de factuurpagina openen.", "nl"),
    ],
)
def test_each_supported_language_is_told_apart(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("não consigo entrar", "pt"),
        ("non riesco ad accedere", "it"),
        ("ik kan niet inloggen", "nl"),
    ],
)
def test_short_sentences_of_the_close_languages_are_not_taken_for_their_neighbours(
    text: str, language: str
) -> None:
    assert detect_language(text) == language


def test_codes_and_identifiers_do_not_pull_a_sentence_towards_english() -> None:
    text = 'ciao, quando tolgo un utente (usr_ab12cd) mi dice "LAST_OWNER_CANNOT_LEAVE" e basta'
    assert detect_language(text) == "it"


def test_a_text_without_words_is_english() -> None:
    assert detect_language("req_0123456789ab 503 https://x.example/a") == "en"
    assert detect_language("") == "en"


def test_every_supported_language_has_every_question() -> None:
    for language in SUPPORTED:
        assert set(QUESTIONS[language]) == set(QUESTIONS["en"]), language
    assert question_for("time_window", "nl").startswith("Wanneer")
    assert question_for("action", "pt").startswith("O que")
