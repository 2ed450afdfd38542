"""Reply wording per language: en, de, fr, es, pt, it, nl.

Each template names the evidence facts it needs (`{limit}`, `{flag}`, ...); a template is used
only when every fact it names is present, otherwise the next variant is tried, so a reply never
shows an empty placeholder. Fact keys are the contract with the investigator's checks (see
`CLAIMS`); `observed` is the last resort.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from supportflow.domain import Domain

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "pt", "it", "nl")

Variants = tuple[str, ...]
Localized = dict[str, Variants]

PHRASES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hi {name},",
        "de": "Hallo {name},",
        "fr": "Bonjour {name},",
        "es": "Hola {name}:",
        "pt": "Olá {name},",
        "it": "Gentile {name},",
        "nl": "Hallo {name},",
    },
    "greeting_anonymous": {
        "en": "Hello,",
        "de": "Hallo,",
        "fr": "Bonjour,",
        "es": "Hola:",
        "pt": "Olá,",
        "it": "Buongiorno,",
        "nl": "Hallo,",
    },
    "signoff": {
        "en": "Best regards,\n{brand}",
        "de": "Viele Grüße\n{brand}",
        "fr": "Cordialement,\n{brand}",
        "es": "Saludos,\n{brand}",
        "pt": "Atenciosamente,\n{brand}",
        "it": "Cordiali saluti,\n{brand}",
        "nl": "Met vriendelijke groet,\n{brand}",
    },
    "proven": {
        "en": "What we found:",
        "de": "Was wir festgestellt haben:",
        "fr": "Ce que nous avons constaté :",
        "es": "Lo que hemos comprobado:",
        "pt": "O que verificámos:",
        "it": "Cosa abbiamo verificato:",
        "nl": "Wat we hebben vastgesteld:",
    },
    "uncertain": {
        "en": "What we could not confirm yet:",
        "de": "Was wir noch nicht bestätigen konnten:",
        "fr": "Ce que nous n'avons pas encore pu confirmer :",
        "es": "Lo que aún no hemos podido confirmar:",
        "pt": "O que ainda não conseguimos confirmar:",
        "it": "Cosa non abbiamo ancora potuto confermare:",
        "nl": "Wat we nog niet konden bevestigen:",
    },
    "next": {
        "en": "Next step:",
        "de": "Nächster Schritt:",
        "fr": "Prochaine étape :",
        "es": "Siguiente paso:",
        "pt": "Próximo passo:",
        "it": "Prossimo passo:",
        "nl": "Volgende stap:",
    },
    "questions": {
        "en": "To investigate this, we need a few details from you:",
        "de": "Um das zu untersuchen, brauchen wir noch ein paar Angaben von Ihnen:",
        "fr": "Pour analyser ce problème, nous avons besoin de quelques précisions :",
        "es": "Para investigarlo necesitamos algunos datos más:",
        "pt": "Para investigar isto, precisamos de mais alguns dados:",
        "it": "Per analizzare il problema ci servono alcune informazioni:",
        "nl": "Om dit te onderzoeken hebben we nog een paar gegevens van u nodig:",
    },
    "ruled_out": {
        "en": "We ruled out {cause}.",
        "de": "Wir haben {cause} ausgeschlossen.",
        "fr": "Nous avons écarté {cause}.",
        "es": "Hemos descartado {cause}.",
        "pt": "Descartámos {cause}.",
        "it": "Abbiamo escluso {cause}.",
        "nl": "We hebben {cause} uitgesloten.",
    },
    "not_checked": {
        "en": "We have not checked {cause} yet.",
        "de": "{cause} haben wir noch nicht geprüft.",
        "fr": "Nous n'avons pas encore vérifié {cause}.",
        "es": "Todavía no hemos comprobado {cause}.",
        "pt": "Ainda não verificámos {cause}.",
        "it": "Non abbiamo ancora verificato {cause}.",
        "nl": "We hebben {cause} nog niet gecontroleerd.",
    },
    "unsettled": {
        "en": "We could not settle whether {cause} plays a role.",
        "de": "Ob {cause} eine Rolle spielt, konnten wir nicht klären.",
        "fr": "Nous n'avons pas pu déterminer si {cause} joue un rôle.",
        "es": "No hemos podido aclarar si {cause} influye.",
        "pt": "Não conseguimos esclarecer se {cause} tem influência.",
        "it": "Non siamo riusciti a stabilire se {cause} abbia un ruolo.",
        "nl": "We konden niet vaststellen of {cause} een rol speelt.",
    },
    "unavailable": {
        "en": "We could not read {source} when we checked.",
        "de": "{source} konnten wir bei der Prüfung nicht abrufen.",
        "fr": "Nous n'avons pas pu consulter {source} lors de notre vérification.",
        "es": "No pudimos consultar {source} durante la comprobación.",
        "pt": "Não conseguimos consultar {source} durante a verificação.",
        "it": "Non siamo riusciti a consultare {source} durante la verifica.",
        "nl": "We konden {source} niet raadplegen tijdens de controle.",
    },
    "neutral": {
        "en": "{source} showed nothing conclusive.",
        "de": "{source} ergab keinen eindeutigen Befund.",
        "fr": "{source} n'a rien montré de concluant.",
        "es": "{source} no mostró nada concluyente.",
        "pt": "{source} não mostrou nada conclusivo.",
        "it": "{source} non ha mostrato nulla di conclusivo.",
        "nl": "{source} liet niets eenduidigs zien.",
    },
    "observed": {lang: "{observed}" for lang in ("en", "de", "fr", "es", "pt", "it", "nl")},
}

LEADS: dict[str, dict[str, str]] = {
    "expected_behavior": {
        "en": "What you ran into is how the product currently works for your account, not an error.",
        "de": "Was Sie beobachtet haben, ist das aktuelle Verhalten des Produkts für Ihr Konto, kein Fehler.",
        "fr": "Ce que vous avez constaté correspond au fonctionnement actuel du produit "
        "pour votre compte, ce n'est pas une erreur.",
        "es": "Lo que ha visto es el funcionamiento actual del producto para su cuenta, no un error.",
        "pt": "O que observou é o funcionamento atual do produto para a sua conta, não um erro.",
        "it": "Quello che ha riscontrato è il funzionamento attuale del prodotto per il suo account, non un errore.",
        "nl": "Wat u ziet is hoe het product momenteel voor uw account werkt, geen fout.",
    },
    "configuration_issue": {
        "en": "The cause is a setting on your account, and it can be changed.",
        "de": "Die Ursache ist eine Einstellung in Ihrem Konto, die sich ändern lässt.",
        "fr": "La cause est un paramètre de votre compte, qui peut être modifié.",
        "es": "La causa es un ajuste de su cuenta, y se puede cambiar.",
        "pt": "A causa é uma definição da sua conta, e pode ser alterada.",
        "it": "La causa è un'impostazione del suo account, che si può modificare.",
        "nl": "De oorzaak is een instelling van uw account, en die kan worden aangepast.",
    },
    "product_defect": {
        "en": "This is a defect on our side, not a problem with your setup.",
        "de": "Das ist ein Fehler auf unserer Seite, nicht in Ihrer Konfiguration.",
        "fr": "Il s'agit d'un défaut de notre côté, pas d'un problème de votre configuration.",
        "es": "Se trata de un defecto de nuestra parte, no de un problema de su configuración.",
        "pt": "Trata-se de um defeito do nosso lado, não de um problema da sua configuração.",
        "it": "Si tratta di un difetto da parte nostra, non di un problema della sua configurazione.",
        "nl": "Dit is een fout aan onze kant, geen probleem met uw configuratie.",
    },
    "incident": {
        "en": "This is caused by an ongoing incident on our side.",
        "de": "Die Ursache ist eine laufende Störung auf unserer Seite.",
        "fr": "Ce problème est causé par un incident en cours de notre côté.",
        "es": "La causa es una incidencia en curso de nuestra parte.",
        "pt": "A causa é um incidente em curso do nosso lado.",
        "it": "La causa è un incidente in corso da parte nostra.",
        "nl": "De oorzaak is een lopende storing aan onze kant.",
    },
    "incident_titled": {
        "en": "This is caused by an ongoing incident on our side: {title}.",
        "de": "Die Ursache ist eine laufende Störung auf unserer Seite: {title}.",
        "fr": "Ce problème est causé par un incident en cours de notre côté : {title}.",
        "es": "La causa es una incidencia en curso de nuestra parte: {title}.",
        "pt": "A causa é um incidente em curso do nosso lado: {title}.",
        "it": "La causa è un incidente in corso da parte nostra: {title}.",
        "nl": "De oorzaak is een lopende storing aan onze kant: {title}.",
    },
    # an incident the status page already shows as resolved: past tense
    "incident:resolved": {
        "en": "This was caused by an incident on our side, which is now resolved.",
        "de": "Die Ursache war eine Störung auf unserer Seite, die inzwischen behoben ist.",
        "fr": "Ce problème était causé par un incident de notre côté, désormais résolu.",
        "es": "La causa fue una incidencia de nuestra parte, que ya está resuelta.",
        "pt": "A causa foi um incidente do nosso lado, que já está resolvido.",
        "it": "La causa è stata un incidente da parte nostra, ora risolto.",
        "nl": "De oorzaak was een storing aan onze kant, die inmiddels is verholpen.",
    },
    "incident_titled:resolved": {
        "en": "This was caused by an incident on our side, which is now resolved: {title}.",
        "de": "Die Ursache war eine Störung auf unserer Seite, die inzwischen behoben ist: {title}.",
        "fr": "Ce problème était causé par un incident de notre côté, désormais résolu : {title}.",
        "es": "La causa fue una incidencia de nuestra parte, que ya está resuelta: {title}.",
        "pt": "A causa foi um incidente do nosso lado, que já está resolvido: {title}.",
        "it": "La causa è stata un incidente da parte nostra, ora risolto: {title}.",
        "nl": "De oorzaak was een storing aan onze kant, die inmiddels is verholpen: {title}.",
    },
    "unclear": {
        "en": "We checked the likely causes, and none of them explains what you see yet.",
        "de": "Wir haben die naheliegenden Ursachen geprüft; keine erklärt bisher, was Sie sehen.",
        "fr": "Nous avons vérifié les causes probables ; aucune n'explique encore ce que vous constatez.",
        "es": "Hemos comprobado las causas probables y ninguna explica todavía lo que ocurre.",
        "pt": "Verificámos as causas prováveis e nenhuma explica ainda o que está a ver.",
        "it": "Abbiamo verificato le cause probabili e nessuna spiega ancora ciò che vede.",
        "nl": "We hebben de waarschijnlijke oorzaken gecontroleerd; geen ervan verklaart nog wat u ziet.",
    },
    "unclear_unchecked": {
        "en": "We could not check the likely causes yet, so we cannot say what causes what you see.",
        "de": "Wir konnten die naheliegenden Ursachen noch nicht prüfen und können daher noch nicht sagen, "
        "was die Ursache ist.",
        "fr": "Nous n'avons pas encore pu vérifier les causes probables ; nous ne pouvons donc pas encore "
        "dire d'où vient le problème.",
        "es": "Todavía no hemos podido comprobar las causas probables, así que aún no sabemos cuál es la causa.",
        "pt": "Ainda não conseguimos verificar as causas prováveis, por isso ainda não sabemos qual é a causa.",
        "it": "Non abbiamo ancora potuto verificare le cause probabili, quindi non sappiamo ancora quale sia la causa.",
        "nl": "We konden de waarschijnlijke oorzaken nog niet controleren, dus we weten nog niet wat de oorzaak is.",
    },
    "unclear_findings": {
        "en": "We found the signals below, but they do not yet settle what causes what you see.",
        "de": "Wir haben die folgenden Hinweise gefunden; sie klären aber noch nicht, was die Ursache ist.",
        "fr": "Nous avons trouvé les éléments ci-dessous, mais ils ne permettent pas encore "
        "d'établir la cause.",
        "es": "Hemos encontrado las señales siguientes, pero todavía no aclaran cuál es la causa.",
        "pt": "Encontrámos os sinais abaixo, mas ainda não esclarecem qual é a causa.",
        "it": "Abbiamo trovato i segnali seguenti, ma non chiariscono ancora quale sia la causa.",
        "nl": "We vonden de onderstaande signalen, maar die maken de oorzaak nog niet duidelijk.",
    },
    "needs_info": {lang: "" for lang in ("en", "de", "fr", "es", "pt", "it", "nl")},
}

STATUS_UPDATE: dict[str, str] = {
    "en": "Status update: {public_message}",
    "de": "Statusmeldung: {public_message}",
    "fr": "Mise à jour du statut : {public_message}",
    "es": "Actualización de estado: {public_message}",
    "pt": "Atualização de estado: {public_message}",
    "it": "Aggiornamento di stato: {public_message}",
    "nl": "Statusupdate: {public_message}",
}

SOURCE_FALLBACK: dict[str, str] = {
    "en": "one of our systems",
    "de": "eines unserer Systeme",
    "fr": "l'un de nos systèmes",
    "es": "uno de nuestros sistemas",
    "pt": "um dos nossos sistemas",
    "it": "uno dei nostri sistemi",
    "nl": "een van onze systemen",
}

CLASS_NEXT_ACTIONS: dict[str, dict[str, str]] = {
    # an unclear case on which no check could run: nothing "above" to pass on
    "unclear:unchecked": {
        "en": "We have passed your case to our second-level support team; they will reply on this ticket "
        "with what they find.",
        "de": "Wir haben Ihren Fall an unser Second-Level-Team übergeben; es meldet sich in diesem Ticket mit "
        "dem Ergebnis.",
        "fr": "Nous avons transmis votre dossier à notre support de niveau 2, qui vous répondra sur ce ticket.",
        "es": "Hemos pasado su caso a nuestro equipo de soporte de segundo nivel, que le responderá en este "
        "ticket.",
        "pt": "Passámos o seu caso à nossa equipa de suporte de segundo nível, que responderá neste ticket "
        "com o que encontrar.",
        "it": "Abbiamo passato il suo caso al nostro supporto di secondo livello, che risponderà su questo "
        "ticket con quanto trovato.",
        "nl": "We hebben uw zaak doorgegeven aan ons tweedelijns supportteam; dat antwoordt in dit ticket met "
        "wat het vindt.",
    },
    "expected_behavior": {
        "en": "Reply to this message if the explanation above does not match what you see.",
        "de": "Antworten Sie auf diese Nachricht, falls die Erklärung nicht zu dem passt, was Sie sehen.",
        "fr": "Répondez à ce message si cette explication ne correspond pas à ce que vous constatez.",
        "es": "Responda a este mensaje si la explicación no coincide con lo que ve.",
        "pt": "Responda a esta mensagem se a explicação não corresponder ao que vê.",
        "it": "Risponda a questo messaggio se la spiegazione non corrisponde a ciò che vede.",
        "nl": "Beantwoord dit bericht als de uitleg niet overeenkomt met wat u ziet.",
    },
    "configuration_issue": {
        "en": "Once the setting above is changed, try again; reply to this message if it still fails.",
        "de": "Versuchen Sie es nach der Änderung erneut; antworten Sie, falls es weiterhin fehlschlägt.",
        "fr": "Réessayez une fois le paramètre modifié ; répondez à ce message si l'échec persiste.",
        "es": "Vuelva a intentarlo tras cambiar el ajuste; responda a este mensaje si sigue fallando.",
        "pt": "Depois de alterar a definição, tente novamente; responda a esta mensagem se continuar a falhar.",
        "it": "Dopo aver modificato l'impostazione, riprovi; risponda a questo messaggio se continua a non funzionare.",
        "nl": "Probeer het opnieuw zodra de instelling is aangepast; beantwoord dit bericht als het nog steeds mislukt.",
    },
    "product_defect": {
        "en": "We have escalated this to our engineering team with the findings above. We will update "
        "this ticket when the fix is released; no change is needed on your side.",
        "de": "Wir haben das mit den obigen Befunden an unser Engineering-Team eskaliert und melden uns "
        "in diesem Ticket, sobald die Korrektur ausgerollt ist; Sie müssen nichts ändern.",
        "fr": "Nous avons transmis ce problème à notre équipe d'ingénierie avec les éléments ci-dessus. "
        "Nous mettrons ce ticket à jour dès que le correctif sera déployé ; aucune action n'est "
        "nécessaire de votre part.",
        "es": "Lo hemos escalado a nuestro equipo de ingeniería con los datos anteriores. Actualizaremos "
        "este ticket cuando se publique la corrección; no necesita cambiar nada.",
        "pt": "Escalámos isto para a nossa equipa de engenharia com os dados acima. Atualizaremos este ticket "
        "quando a correção for publicada; não precisa de alterar nada.",
        "it": "Abbiamo inoltrato il problema al nostro team di ingegneria con i dati qui sopra. Aggiorneremo "
        "questo ticket quando la correzione sarà rilasciata; non deve modificare nulla.",
        "nl": "We hebben dit met de bevindingen hierboven doorgezet naar ons engineeringteam. We werken dit "
        "ticket bij zodra de oplossing is uitgerold; u hoeft niets te wijzigen.",
    },
    "incident": {
        "en": "Our team is working on the incident. We will update this ticket when it is resolved; "
        "no change is needed on your side.",
        "de": "Unser Team arbeitet an der Störung. Wir melden uns in diesem Ticket, sobald sie behoben "
        "ist; Sie müssen nichts ändern.",
        "fr": "Notre équipe travaille sur l'incident. Nous mettrons ce ticket à jour dès sa résolution ; "
        "aucune action n'est nécessaire de votre part.",
        "es": "Nuestro equipo está trabajando en la incidencia. Actualizaremos este ticket cuando se "
        "resuelva; no necesita cambiar nada.",
        "pt": "A nossa equipa está a trabalhar no incidente. Atualizaremos este ticket quando estiver "
        "resolvido; não precisa de alterar nada.",
        "it": "Il nostro team sta lavorando all'incidente. Aggiorneremo questo ticket quando sarà risolto; "
        "non deve modificare nulla.",
        "nl": "Ons team werkt aan de storing. We werken dit ticket bij zodra die is verholpen; u hoeft "
        "niets te wijzigen.",
    },
    "incident:resolved": {
        "en": "Please try again; if it still fails, reply to this message and we will look into it.",
        "de": "Bitte versuchen Sie es erneut; falls es weiterhin fehlschlägt, antworten Sie auf diese "
        "Nachricht, dann sehen wir es uns an.",
        "fr": "Veuillez réessayer ; si l'échec persiste, répondez à ce message et nous examinerons le problème.",
        "es": "Vuelva a intentarlo; si sigue fallando, responda a este mensaje y lo revisaremos.",
        "pt": "Tente novamente; se continuar a falhar, responda a esta mensagem e iremos analisar.",
        "it": "Riprovi; se continua a non funzionare, risponda a questo messaggio e lo verificheremo.",
        "nl": "Probeer het opnieuw; als het nog steeds mislukt, beantwoord dit bericht en we kijken ernaar.",
    },
    "needs_info": {
        "en": "Reply to this message with these details and we will continue the investigation.",
        "de": "Antworten Sie mit diesen Angaben auf diese Nachricht, dann setzen wir die Untersuchung fort.",
        "fr": "Répondez à ce message avec ces précisions et nous poursuivrons l'analyse.",
        "es": "Responda a este mensaje con estos datos y continuaremos la investigación.",
        "pt": "Responda a esta mensagem com estes dados e continuaremos a investigação.",
        "it": "Risponda a questo messaggio con queste informazioni e continueremo l'analisi.",
        "nl": "Beantwoord dit bericht met deze gegevens, dan zetten we het onderzoek voort.",
    },
    "unclear": {
        "en": "We have passed your case, with the checks above, to our second-level support team; "
        "they will reply on this ticket with what they find.",
        "de": "Wir haben Ihren Fall mit den obigen Prüfungen an unser Second-Level-Team übergeben; es "
        "meldet sich in diesem Ticket mit dem Ergebnis.",
        "fr": "Nous avons transmis votre dossier, avec les vérifications ci-dessus, à notre support de "
        "niveau 2, qui vous répondra sur ce ticket.",
        "es": "Hemos pasado su caso, con las comprobaciones anteriores, a nuestro equipo de soporte de "
        "segundo nivel, que le responderá en este ticket.",
        "pt": "Passámos o seu caso, com as verificações acima, à nossa equipa de suporte de segundo nível, "
        "que responderá neste ticket com o que encontrar.",
        "it": "Abbiamo passato il suo caso, con le verifiche qui sopra, al nostro supporto di secondo "
        "livello, che risponderà su questo ticket con quanto trovato.",
        "nl": "We hebben uw zaak, met de controles hierboven, doorgegeven aan ons tweedelijns supportteam; "
        "dat antwoordt in dit ticket met wat het vindt.",
    },
}

# Questions for each missing identifier when intake supplied none.
MISSING_QUESTIONS: dict[str, dict[str, str]] = {
    "action": {
        "en": "What were you trying to do, and what did you click or call?",
        "de": "Was wollten Sie tun, und was haben Sie dafür angeklickt oder aufgerufen?",
        "fr": "Qu'essayiez-vous de faire, et sur quoi avez-vous cliqué ou quel appel avez-vous fait ?",
        "es": "¿Qué intentaba hacer y qué pulsó o a qué llamó?",
        "pt": "O que estava a tentar fazer, e o que clicou ou chamou?",
        "it": "Che cosa stava cercando di fare, e che cosa ha cliccato o chiamato?",
        "nl": "Wat probeerde u te doen, en waarop klikte u of wat riep u aan?",
    },
    "error_details": {
        "en": "What exactly did you see: the error message or code, or a screenshot?",
        "de": "Was genau haben Sie gesehen: die Fehlermeldung oder den Fehlercode, oder einen Screenshot?",
        "fr": "Qu'avez-vous vu exactement : le message ou code d'erreur, ou une capture d'écran ?",
        "es": "¿Qué vio exactamente: el mensaje o código de error, o una captura de pantalla?",
        "pt": "O que viu exatamente: a mensagem ou o código de erro, ou uma captura de ecrã?",
        "it": "Che cosa ha visto esattamente: il messaggio o il codice di errore, o uno screenshot?",
        "nl": "Wat zag u precies: de foutmelding of foutcode, of een schermafbeelding?",
    },
    "time_window": {
        "en": "When did this happen (date and approximate time, with your time zone)?",
        "de": "Wann ist das passiert (Datum und ungefähre Uhrzeit mit Zeitzone)?",
        "fr": "Quand cela s'est-il produit (date et heure approximative, avec votre fuseau horaire) ?",
        "es": "¿Cuándo ocurrió (fecha y hora aproximada, con su zona horaria)?",
        "pt": "Quando aconteceu (data e hora aproximada, com o seu fuso horário)?",
        "it": "Quando è successo (data e ora approssimativa, con il suo fuso orario)?",
        "nl": "Wanneer gebeurde dit (datum en ongeveer de tijd, met uw tijdzone)?",
    },
}


# The engine's own checks' facts under the names texts use: an incident check states the
# incident's `components`, a text names the `component`. A domain adds its checks' under
# `fact_names` in replies.yaml.
FACT_NAMES: dict[str, str] = {"components": "component"}


@dataclass(frozen=True)
class Replies:
    """All reply text of one domain: the fixed phrases merged with the domain's replies."""

    LANGUAGES: tuple[str, ...] = LANGUAGES
    PHRASES: dict[str, dict[str, str]] = field(default_factory=lambda: PHRASES)
    LEADS: dict[str, dict[str, str]] = field(default_factory=lambda: LEADS)
    STATUS_UPDATE: dict[str, str] = field(default_factory=lambda: STATUS_UPDATE)
    SOURCE_FALLBACK: dict[str, str] = field(default_factory=lambda: SOURCE_FALLBACK)
    CLASS_NEXT_ACTIONS: dict[str, dict[str, str]] = field(default_factory=lambda: CLASS_NEXT_ACTIONS)
    MISSING_QUESTIONS: dict[str, dict[str, str]] = field(default_factory=lambda: MISSING_QUESTIONS)
    CAUSE_LABELS: dict[str, dict[str, str]] = field(default_factory=dict)
    SOURCE_LABELS: dict[str, dict[str, str]] = field(default_factory=dict)
    LABELS: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    """A fact -> its values -> their words per language (a limit's name -> "exports per day")."""
    PRODUCT_LANGUAGE: str = "en"
    """The language of the product's own screens: a label also names a value as they show it."""
    FACT_NAMES: dict[str, str] = field(default_factory=lambda: FACT_NAMES)
    """A fact's name as a check states it -> the name the texts use ({count}, {actor} ...)."""
    CLAIMS: dict[str, dict[str, Variants]] = field(default_factory=dict)
    NEXT_ACTIONS: dict[str, dict[str, Variants]] = field(default_factory=dict)
    OWNED_KINDS: frozenset[str] = frozenset()
    """The domain's identifier kinds that belong to one tenant (its tenant, scope, member,
    resource and key ids): when identity finds the ticket names someone else's, the reply keeps
    them out."""
    CUSTOMER_IDS: tuple[re.Pattern[str], ...] = ()
    """The shapes of the ids that name a customer (its tenant's, its scopes' and its members'
    opaque ids): one in a reply that is not the requester's own nor stated by customer-safe
    evidence is another customer's, and is redacted."""


def _merged(base: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    out = {key: dict(value) if isinstance(value, Mapping) else value for key, value in base.items()}
    for key, value in (extra or {}).items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def _variants(section: Mapping[str, Any] | None) -> dict[str, dict[str, Variants]]:
    return {
        key: {lang: tuple(v) if isinstance(v, list | tuple) else (str(v),) for lang, v in per.items()}
        for key, per in (section or {}).items()
    }


def _fact_names(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ValueError(
            f"replies.yaml: fact_names maps a check's name of a fact to the texts' name, not {raw!r}"
        )
    return dict(raw)


def _labels(raw: Mapping[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    if "limits" in raw or "limit_product_language" in raw:  # the names before labels were any fact's
        raise ValueError(
            "replies.yaml: 'limits' and 'limit_product_language' are now 'labels: {limit_name: …}' "
            "and 'product_language'"
        )
    labels = raw.get("labels") or {}
    if not isinstance(labels, Mapping) or not all(
        isinstance(values, Mapping) and all(isinstance(words, Mapping) for words in values.values())
        for values in labels.values()
    ):
        raise ValueError(
            f"replies.yaml: labels maps a fact to its values' words per language, not {labels!r}"
        )
    return {fact: {value: dict(words) for value, words in values.items()} for fact, values in labels.items()}


def replies_from(raw: Mapping[str, Any], brand: str, languages: tuple[str, ...] = ()) -> Replies:
    """The replies of a domain: its `replies` section over the fixed phrases, signed by `brand`."""
    phrases = _merged(PHRASES, raw.get("phrases"))
    signoff = {lang: text.format(brand=brand) for lang, text in phrases["signoff"].items()}
    phrases["signoff"] = {**signoff, **(raw.get("signoff") or {})}
    wanted = tuple(raw.get("languages") or languages or LANGUAGES)
    return Replies(
        # a reply is written in a language only where every fixed phrase has it (else English)
        LANGUAGES=tuple(lang for lang in wanted if all(lang in per for per in phrases.values())) or ("en",),
        PHRASES=phrases,
        LEADS=_merged(LEADS, raw.get("leads")),
        STATUS_UPDATE={**STATUS_UPDATE, **(raw.get("status_update") or {})},
        SOURCE_FALLBACK={**SOURCE_FALLBACK, **(raw.get("source_fallback") or {})},
        CLASS_NEXT_ACTIONS=_merged(CLASS_NEXT_ACTIONS, raw.get("class_next")),
        MISSING_QUESTIONS=_merged(MISSING_QUESTIONS, raw.get("questions")),
        CAUSE_LABELS=dict(raw.get("causes") or {}),
        SOURCE_LABELS=dict(raw.get("sources") or {}),
        LABELS=_labels(raw),
        PRODUCT_LANGUAGE=str(raw.get("product_language") or "en"),
        FACT_NAMES={**FACT_NAMES, **_fact_names(raw.get("fact_names"))},
        CLAIMS=_variants(raw.get("claims")),
        NEXT_ACTIONS=_variants(raw.get("next")),
    )


def replies_for(domain: Domain) -> Replies:
    """A domain's replies: its `replies` section, with each generic-kind check's customer-safe
    `text.supports` as that check's claim where the section gives none."""
    replies = replies_from(domain.replies, domain.product.signature, tuple(domain.product.languages))
    claims = dict(replies.CLAIMS)
    for name, spec in domain.checks.items():
        if spec.text.supports and name not in claims:
            claims[name] = {lang: tuple(texts) for lang, texts in spec.text.supports.items()}
    signoff = {**replies.PHRASES["signoff"], **domain.product.signoff}
    owned = frozenset(
        name for name, kind in domain.vocabulary.identifiers.items() if kind.role in _OWNED_ROLES
    )
    return replace(
        replies,
        CLAIMS=claims,
        PHRASES={**replies.PHRASES, "signoff": signoff},
        OWNED_KINDS=owned,
        CUSTOMER_IDS=tuple(
            re.compile(r"(?<![\w-])(?:" + kind.pattern + r")(?![\w-])", re.IGNORECASE)
            for kind in domain.vocabulary.identifiers.values()
            if kind.role in _CUSTOMER_ROLES
            and _OPAQUE_ID.fullmatch(kind.example)
            and "(?P<id>" not in kind.pattern  # one matched by its surrounding words is no shape
        ),
    )


_OWNED_ROLES = ("tenant", "scope", "member", "resource", "key_prefix")
_CUSTOMER_ROLES = ("tenant", "scope", "member")
# An opaque id ("cus_8h2k4m", "org_12345678"): letters and digits, not an address or a host name
# (a scope may be a sending domain) nor a bare number (every count and postcode would be taken for
# one); only such ids are found by their shape in a reply, addresses are found as addresses
_OPAQUE_ID = re.compile(r"(?=[\w-]*[^\W\d_])(?=[\w-]*\d)[\w-]+")


@cache
def default_replies() -> Replies:
    """The replies of the configured domain (SUPPORTFLOW_DOMAIN), read once per process."""
    from supportflow.settings import load_domain_for

    return replies_for(load_domain_for())


T = TypeVar("T")


_FELL_BACK: ContextVar[set[str] | None] = ContextVar("fell_back", default=None)


def pick(per_language: Mapping[str, T], language: str) -> T:
    """The text in `language`, else English, else any the mapping has (noted by `fallbacks()`)."""
    if language in per_language:
        return per_language[language]
    noted = _FELL_BACK.get()
    if noted is not None:
        noted.add(language)
    if "en" in per_language:
        return per_language["en"]
    return next(iter(per_language.values()))


def pick_variants(per_language: Mapping[str, Variants], language: str) -> Variants:
    """`pick` for a text with variants; a text the domain does not have is no variants."""
    return pick(per_language, language) if per_language else ()


@contextmanager
def fallbacks() -> Iterator[set[str]]:
    """Inside the block, the languages a text was asked in and missing (English given instead)."""
    noted: set[str] = set()
    token = _FELL_BACK.set(noted)
    try:
        yield noted
    finally:
        _FELL_BACK.reset(token)


_ACTIVE: ContextVar[Replies | None] = ContextVar("replies", default=None)


def active() -> Replies:
    """The replies the current draft is written with (the configured domain's by default)."""
    return _ACTIVE.get() or default_replies()


@contextmanager
def using(replies: Replies | None) -> Iterator[Replies]:
    """Write with `replies` inside the block (nothing changes when None)."""
    if replies is None:
        yield active()
        return
    token = _ACTIVE.set(replies)
    try:
        yield replies
    finally:
        _ACTIVE.reset(token)
