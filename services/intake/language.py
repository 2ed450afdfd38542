"""Which language a ticket is written in, and the clarifying questions in that language.

A stopword count is enough to tell English, German, French and Spanish apart on a ticket's
prose; it needs no model and runs in microseconds. Letters that only one of the languages uses
(ß, ñ, ç, ¿ ...) break ties on very short texts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.intake.vocabulary import IntakeVocabulary

SUPPORTED = ("en", "de", "fr", "es")

_STOPWORD_TEXT = {
    "en": (
        "after all an and any are be been but can can't cannot does doesn't don't for from "
        "get got has have i is it just my not of on our please should since that the there "
        "they this to was we what when which with would you "
    ),
    "de": (
        "aber auch auf bei beim bitte das dem den der des die ein eine es funktioniert für "
        "haben hat ich ist kann kein keine können mehr mein meine mir mit nach nicht noch "
        "oder seit sich sind und uns unser unsere was wenn werden wie wir wird wurde zu "
    ),
    "fr": (
        "au aux avec avons c'est ce cette dans depuis des du elle est et fonctionne il j'ai "
        "je la le les lorsque ma mais mes mon n'est ne nos notre nous pas plus pour quand que "
        "qui sont sur un une vous été "
    ),
    "es": (
        "al como con cuando del desde el en es está fue funciona ha hay la las lo los mi muy "
        "más no nosotros nuestra nuestro para pero por puedo que se son su sus tenemos tengo "
        "un una y yo "
    ),
}
_STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _STOPWORD_TEXT.items()}
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _language, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _language)
_WORD = re.compile(r"[a-zà-öø-ÿ']+")
_MARKERS: dict[str, re.Pattern[str]] = {
    "de": re.compile(r"[ßäöü]"),
    "fr": re.compile(r"[çèêëàâîïôûœ]"),
    "es": re.compile(r"[ñ¿¡áíóú]"),
}


def detect_language(text: str) -> str:
    """One of en/de/fr/es; English when the text gives no signal."""
    sample = text[:4000].lower()
    scores = dict.fromkeys(SUPPORTED, 0.0)
    for word in _WORD.findall(sample):
        for language in _LANGUAGES_OF.get(word, ()):
            scores[language] += 1.0
    for language, marker in _MARKERS.items():
        scores[language] += 0.5 * min(len(marker.findall(sample)), 6)
    best = max(SUPPORTED, key=lambda language: (scores[language], language == "en"))
    return best if scores[best] > 0 else "en"


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
