"""Which language a ticket is written in, and the clarifying questions in that language.

py3langid (a naive Bayes model over byte n-grams, pinned) tells the languages apart; it is
restricted to the ones the intake asks questions in, which is both faster and more accurate
than its full 97-language set. Measured on the odd half of the blind tickets against
lingua-language-detector restricted the same way: both got 79 of 80 right, py3langid in about
130 µs per ticket against 350-400 µs, and py3langid also kept two-to-four-word sentences
("não consigo entrar", "can't log in") that lingua gave to Spanish and German.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

if TYPE_CHECKING:
    from services.intake.vocabulary import IntakeVocabulary

SUPPORTED = ("en", "de", "fr", "es", "pt", "it", "nl")

# Identifiers, error codes, URLs and addresses are the same in every language: they only
# pull a German sentence around "LAST_OWNER_CANNOT_LEAVE" towards English.
_CODE_LIKE_WORD = re.compile(r"\S*[_@/\\\d]\S*")  # a whole word holding one of them
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_MIN_LETTERS = 12
_OWN_LETTERS = 30
# the model's cost grows with the text; a few sentences settle the language (350 characters gave
# each of the 1,340 blind tickets and the three example packs the language 700 gave, in two thirds
# of the time; 250 changed one. Of the SeaMonkey sample it changed one, to the reporter's English
# over the German message a site showed, quoted below it)
_SAMPLE_CHARS = 350


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    """The model, loaded once (about a second) and restricted to `languages`."""
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)
    identifier.set_languages(list(languages))
    # the restricted table is a strided half-precision copy, which each ticket's scoring widens
    # again; widened once and laid out by row, the same scores come 10 % faster (the same to the
    # bit on the blind tickets and the bench)
    identifier.nb_ptc = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
    return identifier


def detect_language(text: str, languages: tuple[str, ...] = SUPPORTED) -> str:
    """One of `languages`; English when the text has too few words to tell."""
    prose = " ".join(
        word for word in _CODE_LIKE_WORD.sub(" ", text[:_SAMPLE_CHARS]).split() if not word.isupper()
    )
    if not _has_letters(prose, _MIN_LETTERS):
        return "en"
    language: str = _identifier(languages).classify(prose)[0]
    return language


def language_of(own: str, whole: str) -> str:
    """The language of the requester's `own` words when they are enough to tell (a line above a
    forwarded report is), else of the `whole` message."""
    return detect_language(own if _has_letters(own, _OWN_LETTERS) else whole)


def _has_letters(text: str, count: int) -> bool:
    """Whether `text` has `count` letters in words of two or more (read only as far as needed)."""
    letters = 0
    for word in _LETTERS.finditer(text):
        letters += word.end() - word.start()
        if letters >= count:
            return True
    return False


QUESTIONS: dict[str, dict[str, str]] = {
    "en": {
        "identifier": "Which {label} is affected? Please send its URL or ID (it looks like {example}).",
        "time_window": "When did this happen? Please give the date and approximate time, with your time zone.",
        "error_details": (
            "What exactly did you see? Please copy the error message or code, or attach a screenshot."
        ),
        "action": "What were you trying to do when this happened? Please list the steps you took.",
    },
    "de": {
        "identifier": "Welche(r) {label} ist betroffen? Bitte senden Sie die URL oder ID (sie sieht aus wie {example}).",
        "time_window": "Wann ist das passiert? Bitte nennen Sie Datum und ungefähre Uhrzeit mit Zeitzone.",
        "error_details": (
            "Was genau wurde angezeigt? Bitte kopieren Sie die Fehlermeldung oder den Fehlercode "
            "oder senden Sie einen Screenshot."
        ),
        "action": "Was wollten Sie tun, als das passiert ist? Bitte beschreiben Sie die einzelnen Schritte.",
    },
    "fr": {
        "identifier": (
            "Quel(le) {label} est concerné(e) ? Merci d'indiquer son URL ou son identifiant (de la forme {example})."
        ),
        "time_window": (
            "Quand cela s'est-il produit ? Merci d'indiquer la date et l'heure approximative, "
            "avec votre fuseau horaire."
        ),
        "error_details": (
            "Qu'avez-vous vu exactement ? Merci de copier le message ou le code d'erreur, "
            "ou de joindre une capture d'écran."
        ),
        "action": "Que cherchiez-vous à faire à ce moment-là ? Merci de décrire les étapes suivies.",
    },
    "es": {
        "identifier": "¿Qué {label} está afectado? Envíenos su URL o su ID (tiene la forma {example}).",
        "time_window": "¿Cuándo ocurrió? Indíquenos la fecha y la hora aproximada, con su zona horaria.",
        "error_details": (
            "¿Qué vio exactamente? Copie el mensaje o el código de error, o adjunte una captura de pantalla."
        ),
        "action": "¿Qué intentaba hacer cuando ocurrió? Describa los pasos que siguió.",
    },
    "pt": {
        "identifier": "Qual {label} é afetado? Envie-nos o URL ou o ID (tem a forma {example}).",
        "time_window": "Quando aconteceu? Indique a data e a hora aproximada, com o seu fuso horário.",
        "error_details": (
            "O que viu exatamente? Copie a mensagem ou o código de erro, ou anexe uma captura de ecrã."
        ),
        "action": "O que estava a tentar fazer quando isto aconteceu? Descreva os passos que seguiu.",
    },
    "it": {
        "identifier": "Quale {label} è interessato? Inviateci l'URL o l'ID (ha la forma {example}).",
        "time_window": "Quando è successo? Indicate la data e l'ora approssimativa, con il vostro fuso orario.",
        "error_details": (
            "Che cosa avete visto esattamente? Copiate il messaggio o il codice di errore, "
            "oppure allegate uno screenshot."
        ),
        "action": "Che cosa stavate cercando di fare quando è successo? Descrivete i passaggi seguiti.",
    },
    "nl": {
        "identifier": "Welke {label} is getroffen? Stuur ons de URL of de ID (die ziet eruit als {example}).",
        "time_window": "Wanneer gebeurde dit? Geef de datum en het geschatte tijdstip, met uw tijdzone.",
        "error_details": (
            "Wat zag u precies? Kopieer de foutmelding of foutcode, of voeg een schermafbeelding toe."
        ),
        "action": "Wat probeerde u te doen toen dit gebeurde? Beschrijf de stappen die u nam.",
    },
}


def question_for(missing: str, language: str, vocabulary: IntakeVocabulary | None = None) -> str:
    """The clarifying question for a missing item; an identifier kind is asked for by the name
    the domain gives it in the ticket's language, with an example of its format."""
    templates = QUESTIONS.get(language, QUESTIONS["en"])
    if missing in QUESTIONS["en"]:
        return templates.get(missing) or QUESTIONS["en"][missing]
    own = vocabulary.questions.get(missing, {}) if vocabulary else {}
    if own:
        return own.get(language) or own.get("en") or next(iter(own.values()))
    label = vocabulary.label(missing, language) if vocabulary else missing.replace("_", " ")
    example = (vocabulary.examples.get(missing) if vocabulary else None) or "…"
    template = templates.get("identifier") or QUESTIONS["en"]["identifier"]
    return template.format(label=label, example=example)
