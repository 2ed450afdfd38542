"""Reply wording per language: en, de, fr, es.

Each template names the evidence facts it needs (`{limit}`, `{flag}`, ...); a template is used
only when every fact it names is present, otherwise the next variant is tried, so a reply never
shows an empty placeholder. Fact keys are the contract with the investigator's checks (see
`CLAIMS`); `observed` is the last resort.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es")

Variants = tuple[str, ...]
Localized = dict[str, Variants]

PHRASES: dict[str, dict[str, str]] = {
    "greeting": {"en": "Hi {name},", "de": "Hallo {name},", "fr": "Bonjour {name},", "es": "Hola {name}:"},
    "greeting_anonymous": {"en": "Hello,", "de": "Hallo,", "fr": "Bonjour,", "es": "Hola:"},
    "signoff": {
        "en": "Best regards,\nLumen Analytics Support",
        "de": "Viele Grüße\nLumen Analytics Support",
        "fr": "Cordialement,\nLe support Lumen Analytics",
        "es": "Saludos,\nSoporte de Lumen Analytics",
    },
    "proven": {
        "en": "What we found:",
        "de": "Was wir festgestellt haben:",
        "fr": "Ce que nous avons constaté :",
        "es": "Lo que hemos comprobado:",
    },
    "uncertain": {
        "en": "What we could not confirm yet:",
        "de": "Was wir noch nicht bestätigen konnten:",
        "fr": "Ce que nous n'avons pas encore pu confirmer :",
        "es": "Lo que aún no hemos podido confirmar:",
    },
    "next": {
        "en": "Next step:",
        "de": "Nächster Schritt:",
        "fr": "Prochaine étape :",
        "es": "Siguiente paso:",
    },
    "questions": {
        "en": "To investigate this, we need a few details from you:",
        "de": "Um das zu untersuchen, brauchen wir noch ein paar Angaben von Ihnen:",
        "fr": "Pour analyser ce problème, nous avons besoin de quelques précisions :",
        "es": "Para investigarlo necesitamos algunos datos más:",
    },
    "ruled_out": {
        "en": "We ruled out {cause}.",
        "de": "Wir haben {cause} ausgeschlossen.",
        "fr": "Nous avons écarté {cause}.",
        "es": "Hemos descartado {cause}.",
    },
    "not_checked": {
        "en": "We have not checked {cause} yet.",
        "de": "{cause} haben wir noch nicht geprüft.",
        "fr": "Nous n'avons pas encore vérifié {cause}.",
        "es": "Todavía no hemos comprobado {cause}.",
    },
    "unsettled": {
        "en": "We could not settle whether {cause} plays a role.",
        "de": "Ob {cause} eine Rolle spielt, konnten wir nicht klären.",
        "fr": "Nous n'avons pas pu déterminer si {cause} joue un rôle.",
        "es": "No hemos podido aclarar si {cause} influye.",
    },
    "unavailable": {
        "en": "We could not read {source} when we checked.",
        "de": "{source} konnten wir bei der Prüfung nicht abrufen.",
        "fr": "Nous n'avons pas pu consulter {source} lors de notre vérification.",
        "es": "No pudimos consultar {source} durante la comprobación.",
    },
    "neutral": {
        "en": "{source} showed nothing conclusive.",
        "de": "{source} ergab keinen eindeutigen Befund.",
        "fr": "{source} n'a rien montré de concluant.",
        "es": "{source} no mostró nada concluyente.",
    },
    "observed": {"en": "{observed}", "de": "{observed}", "fr": "{observed}", "es": "{observed}"},
}

LEADS: dict[str, dict[str, str]] = {
    "expected_behavior": {
        "en": "What you ran into is how the product currently works for your account, not an error.",
        "de": "Was Sie beobachtet haben, ist das aktuelle Verhalten des Produkts für Ihr Konto, kein Fehler.",
        "fr": "Ce que vous avez constaté correspond au fonctionnement actuel du produit "
        "pour votre compte, ce n'est pas une erreur.",
        "es": "Lo que ha visto es el funcionamiento actual del producto para su cuenta, no un error.",
    },
    "configuration_issue": {
        "en": "The cause is a setting on your account, and it can be changed.",
        "de": "Die Ursache ist eine Einstellung in Ihrem Konto, die sich ändern lässt.",
        "fr": "La cause est un paramètre de votre compte, qui peut être modifié.",
        "es": "La causa es un ajuste de su cuenta, y se puede cambiar.",
    },
    "product_defect": {
        "en": "This is a defect on our side, not a problem with your setup.",
        "de": "Das ist ein Fehler auf unserer Seite, nicht in Ihrer Konfiguration.",
        "fr": "Il s'agit d'un défaut de notre côté, pas d'un problème de votre configuration.",
        "es": "Se trata de un defecto de nuestra parte, no de un problema de su configuración.",
    },
    "incident": {
        "en": "This is caused by an ongoing incident on our side.",
        "de": "Die Ursache ist eine laufende Störung auf unserer Seite.",
        "fr": "Ce problème est causé par un incident en cours de notre côté.",
        "es": "La causa es una incidencia en curso de nuestra parte.",
    },
    "incident_titled": {
        "en": "This is caused by an ongoing incident on our side: {title}.",
        "de": "Die Ursache ist eine laufende Störung auf unserer Seite: {title}.",
        "fr": "Ce problème est causé par un incident en cours de notre côté : {title}.",
        "es": "La causa es una incidencia en curso de nuestra parte: {title}.",
    },
    # an incident the status page already shows as resolved: past tense
    "incident:resolved": {
        "en": "This was caused by an incident on our side, which is now resolved.",
        "de": "Die Ursache war eine Störung auf unserer Seite, die inzwischen behoben ist.",
        "fr": "Ce problème était causé par un incident de notre côté, désormais résolu.",
        "es": "La causa fue una incidencia de nuestra parte, que ya está resuelta.",
    },
    "incident_titled:resolved": {
        "en": "This was caused by an incident on our side, which is now resolved: {title}.",
        "de": "Die Ursache war eine Störung auf unserer Seite, die inzwischen behoben ist: {title}.",
        "fr": "Ce problème était causé par un incident de notre côté, désormais résolu : {title}.",
        "es": "La causa fue una incidencia de nuestra parte, que ya está resuelta: {title}.",
    },
    "unclear": {
        "en": "We checked the likely causes, and none of them explains what you see yet.",
        "de": "Wir haben die naheliegenden Ursachen geprüft; keine erklärt bisher, was Sie sehen.",
        "fr": "Nous avons vérifié les causes probables ; aucune n'explique encore ce que vous constatez.",
        "es": "Hemos comprobado las causas probables y ninguna explica todavía lo que ocurre.",
    },
    "unclear_unchecked": {
        "en": "We could not check the likely causes yet, so we cannot say what causes what you see.",
        "de": "Wir konnten die naheliegenden Ursachen noch nicht prüfen und können daher noch nicht sagen, "
        "was die Ursache ist.",
        "fr": "Nous n'avons pas encore pu vérifier les causes probables ; nous ne pouvons donc pas encore "
        "dire d'où vient le problème.",
        "es": "Todavía no hemos podido comprobar las causas probables, así que aún no sabemos cuál es la causa.",
    },
    "unclear_findings": {
        "en": "We found the signals below, but they do not yet settle what causes what you see.",
        "de": "Wir haben die folgenden Hinweise gefunden; sie klären aber noch nicht, was die Ursache ist.",
        "fr": "Nous avons trouvé les éléments ci-dessous, mais ils ne permettent pas encore "
        "d'établir la cause.",
        "es": "Hemos encontrado las señales siguientes, pero todavía no aclaran cuál es la causa.",
    },
    "needs_info": {"en": "", "de": "", "fr": "", "es": ""},
}

STATUS_UPDATE: dict[str, str] = {
    "en": "Status update: {public_message}",
    "de": "Statusmeldung: {public_message}",
    "fr": "Mise à jour du statut : {public_message}",
    "es": "Actualización de estado: {public_message}",
}

CAUSE_LABELS: dict[str, dict[str, str]] = {
    "plan_limit": {
        "en": "a plan limit",
        "de": "ein Tariflimit",
        "fr": "une limite du forfait",
        "es": "un límite del plan",
    },
    "missing_permission": {
        "en": "a missing permission",
        "de": "eine fehlende Berechtigung",
        "fr": "une autorisation manquante",
        "es": "un permiso que falta",
    },
    "feature_flag_off": {
        "en": "a feature turned off for your account",
        "de": "eine für Ihr Konto deaktivierte Funktion",
        "fr": "une fonctionnalité désactivée pour votre compte",
        "es": "una función desactivada en su cuenta",
    },
    "sso_config_change": {
        "en": "a change to your SSO configuration",
        "de": "eine Änderung Ihrer SSO-Konfiguration",
        "fr": "une modification de votre configuration SSO",
        "es": "un cambio en su configuración de SSO",
    },
    "api_key_expired": {
        "en": "an expired or revoked API key",
        "de": "einen abgelaufenen oder widerrufenen API-Schlüssel",
        "fr": "une clé API expirée ou révoquée",
        "es": "una clave de API caducada o revocada",
    },
    "rate_limited": {
        "en": "rate limiting",
        "de": "eine Ratenbegrenzung",
        "fr": "une limitation de débit",
        "es": "un límite de frecuencia",
    },
    "documented_delay": {
        "en": "a documented processing delay",
        "de": "eine dokumentierte Verarbeitungsverzögerung",
        "fr": "un délai de traitement documenté",
        "es": "un retraso de procesamiento documentado",
    },
    "wrong_workspace": {
        "en": "a different workspace",
        "de": "einen anderen Workspace",
        "fr": "un autre espace de travail",
        "es": "otro espacio de trabajo",
    },
    "deploy_regression": {
        "en": "a problem from a recent release",
        "de": "einen Fehler durch ein aktuelles Release",
        "fr": "un problème lié à une mise en production récente",
        "es": "un problema de una versión reciente",
    },
    "open_incident": {
        "en": "an ongoing incident",
        "de": "eine laufende Störung",
        "fr": "un incident en cours",
        "es": "una incidencia en curso",
    },
    "integration_outage": {
        "en": "an outage at a third-party integration",
        "de": "einen Ausfall einer Drittanbieter-Integration",
        "fr": "une panne d'une intégration tierce",
        "es": "una caída de una integración de terceros",
    },
    "user_deleted_data": {
        "en": "a deletion made from your account",
        "de": "eine Löschung aus Ihrem Konto",
        "fr": "une suppression effectuée depuis votre compte",
        "es": "un borrado hecho desde su cuenta",
    },
}

SOURCE_LABELS: dict[str, dict[str, str]] = {
    "account": {
        "en": "your account settings",
        "de": "Ihre Kontoeinstellungen",
        "fr": "les paramètres de votre compte",
        "es": "los ajustes de su cuenta",
    },
    "users": {
        "en": "your team's roles",
        "de": "die Rollen Ihres Teams",
        "fr": "les rôles de votre équipe",
        "es": "los roles de su equipo",
    },
    "events": {
        "en": "your product activity",
        "de": "Ihre Produktaktivität",
        "fr": "l'activité de votre compte",
        "es": "la actividad de su cuenta",
    },
    "logs": {
        "en": "the request logs",
        "de": "die Anfrageprotokolle",
        "fr": "les journaux de requêtes",
        "es": "los registros de solicitudes",
    },
    "changes": {
        "en": "the change history",
        "de": "der Änderungsverlauf",
        "fr": "l'historique des modifications",
        "es": "el historial de cambios",
    },
    "incidents": {
        "en": "the status page",
        "de": "die Statusseite",
        "fr": "la page de statut",
        "es": "la página de estado",
    },
    "behaviours": {
        "en": "the documentation",
        "de": "die Dokumentation",
        "fr": "la documentation",
        "es": "la documentación",
    },
}
SOURCE_FALLBACK: dict[str, str] = {
    "en": "one of our systems",
    "de": "eines unserer Systeme",
    "fr": "l'un de nos systèmes",
    "es": "uno de nuestros sistemas",
}

LIMIT_LABELS: dict[str, dict[str, str]] = {
    "exports_per_day": {
        "en": "exports per day",
        "de": "Exporte pro Tag",
        "fr": "exports par jour",
        "es": "exportaciones al día",
    },
    "seats": {"en": "seats", "de": "Plätze", "fr": "sièges", "es": "puestos"},
    "dashboards": {"en": "dashboards", "de": "Dashboards", "fr": "tableaux de bord", "es": "paneles"},
    "api_calls_per_hour": {
        "en": "API calls per hour",
        "de": "API-Aufrufe pro Stunde",
        "fr": "appels API par heure",
        "es": "llamadas a la API por hora",
    },
}

# The product's interface is English: non-English replies also quote the limit as the product
# names it, so the customer can find it on the billing page.
PRODUCT_LIMIT_LABEL = "en"

# Claim wording per check: variants from most to least specific.
CLAIMS: dict[str, dict[str, Variants]] = {
    "account.plan_limits": {
        "en": (
            "Your {plan} plan allows {limit} {limit_label}, and {used} have been used.",
            "Your plan allows {limit} {limit_label}, and {used} have been used.",
            "Your plan allows {limit} {limit_label}.",
        ),
        "de": (
            "Ihr Tarif {plan} erlaubt {limit} {limit_label} (im Produkt: {limit} {limit_product_label}); "
            "{used} davon sind verbraucht.",
            "Ihr Tarif erlaubt {limit} {limit_label} (im Produkt: {limit} {limit_product_label}); "
            "{used} davon sind verbraucht.",
            "Ihr Tarif erlaubt {limit} {limit_label} (im Produkt: {limit} {limit_product_label}).",
        ),
        "fr": (
            "Votre forfait {plan} autorise {limit} {limit_label} (dans le produit : {limit} "
            "{limit_product_label}), et {used} ont été utilisés.",
            "Votre forfait autorise {limit} {limit_label} (dans le produit : {limit} "
            "{limit_product_label}), et {used} ont été utilisés.",
            "Votre forfait autorise {limit} {limit_label} (dans le produit : {limit} {limit_product_label}).",
        ),
        "es": (
            "Su plan {plan} permite {limit} {limit_label} (en el producto: {limit} {limit_product_label}) "
            "y ya se han usado {used}.",
            "Su plan permite {limit} {limit_label} (en el producto: {limit} {limit_product_label}) "
            "y ya se han usado {used}.",
            "Su plan permite {limit} {limit_label} (en el producto: {limit} {limit_product_label}).",
        ),
    },
    "events.rejected_actions": {
        "en": (
            "{count} {action} attempts were rejected between {first_at} and {last_at}.",
            "{count} {action} attempts were rejected.",
        ),
        "de": (
            "{count} Versuche ({action}) wurden zwischen {first_at} und {last_at} abgelehnt.",
            "{count} Versuche ({action}) wurden abgelehnt.",
        ),
        "fr": (
            "{count} tentatives ({action}) ont été refusées entre {first_at} et {last_at}.",
            "{count} tentatives ({action}) ont été refusées.",
        ),
        "es": (
            "Se rechazaron {count} intentos ({action}) entre {first_at} y {last_at}.",
            "Se rechazaron {count} intentos ({action}).",
        ),
    },
    # a count of one: `<check>:one` (the drafter picks it when the count fact is 1)
    "events.rejected_actions:one": {
        "en": (
            "1 {action} attempt was rejected, at {last_at}.",
            "1 {action} attempt was rejected.",
        ),
        "de": (
            "1 Versuch ({action}) wurde um {last_at} abgelehnt.",
            "1 Versuch ({action}) wurde abgelehnt.",
        ),
        "fr": (
            "1 tentative ({action}) a été refusée, à {last_at}.",
            "1 tentative ({action}) a été refusée.",
        ),
        "es": (
            "Se rechazó 1 intento ({action}), a las {last_at}.",
            "Se rechazó 1 intento ({action}).",
        ),
    },
    "users.role_permissions": {
        "en": (
            "{user} has the {role} role; {permission} needs at least the {required_role} role.",
            "{user} has the {role} role, which cannot do this; it needs at least {required_role}.",
        ),
        "de": (
            "{user} hat die Rolle {role}; für {permission} ist mindestens die Rolle {required_role} nötig.",
            "{user} hat die Rolle {role}; dafür ist mindestens die Rolle {required_role} nötig.",
        ),
        "fr": (
            "{user} a le rôle {role} ; {permission} nécessite au moins le rôle {required_role}.",
            "{user} a le rôle {role} ; cette action nécessite au moins le rôle {required_role}.",
        ),
        "es": (
            "{user} tiene el rol {role}; {permission} requiere como mínimo el rol {required_role}.",
            "{user} tiene el rol {role}; esta acción requiere como mínimo el rol {required_role}.",
        ),
    },
    "changes.role_changes": {
        "en": (
            "On {changed_at}, {actor} changed the role of {user} from {before} to {after}.",
            "On {changed_at}, the role of {user} was changed from {before} to {after}.",
        ),
        "de": (
            "Am {changed_at} hat {actor} die Rolle von {user} von {before} auf {after} geändert.",
            "Am {changed_at} wurde die Rolle von {user} von {before} auf {after} geändert.",
        ),
        "fr": (
            "Le {changed_at}, {actor} a changé le rôle de {user} de {before} à {after}.",
            "Le {changed_at}, le rôle de {user} est passé de {before} à {after}.",
        ),
        "es": (
            "El {changed_at}, {actor} cambió el rol de {user} de {before} a {after}.",
            "El {changed_at}, el rol de {user} cambió de {before} a {after}.",
        ),
    },
    "account.feature_flags": {
        "en": ("The feature {flag} is turned off for your account.",),
        "de": ("Die Funktion {flag} ist für Ihr Konto deaktiviert.",),
        "fr": ("La fonctionnalité {flag} est désactivée pour votre compte.",),
        "es": ("La función {flag} está desactivada en su cuenta.",),
    },
    "changes.recent_config_changes": {
        "en": (
            "On {changed_at}, {actor} changed the SSO setting {setting} from {before} to {after}.",
            "On {changed_at}, the SSO setting {setting} was changed.",
            "On {changed_at}, your SSO configuration ({target}) was changed.",
        ),
        "de": (
            "Am {changed_at} hat {actor} die SSO-Einstellung {setting} von {before} auf {after} geändert.",
            "Am {changed_at} wurde die SSO-Einstellung {setting} geändert.",
            "Am {changed_at} wurde Ihre SSO-Konfiguration ({target}) geändert.",
        ),
        "fr": (
            "Le {changed_at}, {actor} a modifié le paramètre SSO {setting} de {before} à {after}.",
            "Le {changed_at}, le paramètre SSO {setting} a été modifié.",
            "Le {changed_at}, votre configuration SSO ({target}) a été modifiée.",
        ),
        "es": (
            "El {changed_at}, {actor} cambió el ajuste de SSO {setting} de {before} a {after}.",
            "El {changed_at} se cambió el ajuste de SSO {setting}.",
            "El {changed_at} se cambió su configuración de SSO ({target}).",
        ),
    },
    "logs.auth_failures": {
        "en": (
            "{count} requests failed with {error_code} between {first_at} and {last_at}.",
            "{count} requests failed with {error_code}.",
        ),
        "de": (
            "{count} Anfragen sind zwischen {first_at} und {last_at} mit {error_code} fehlgeschlagen.",
            "{count} Anfragen sind mit {error_code} fehlgeschlagen.",
        ),
        "fr": (
            "{count} requêtes ont échoué avec {error_code} entre {first_at} et {last_at}.",
            "{count} requêtes ont échoué avec {error_code}.",
        ),
        "es": (
            "{count} solicitudes fallaron con {error_code} entre {first_at} y {last_at}.",
            "{count} solicitudes fallaron con {error_code}.",
        ),
    },
    "logs.auth_failures:one": {
        "en": ("1 request failed with {error_code}, at {last_at}.", "1 request failed with {error_code}."),
        "de": (
            "1 Anfrage ist um {last_at} mit {error_code} fehlgeschlagen.",
            "1 Anfrage ist mit {error_code} fehlgeschlagen.",
        ),
        "fr": ("1 requête a échoué avec {error_code}, à {last_at}.", "1 requête a échoué avec {error_code}."),
        "es": ("1 solicitud falló con {error_code}, a las {last_at}.", "1 solicitud falló con {error_code}."),
    },
    "changes.api_key_status": {
        "en": (
            "The API key starting with {api_key_prefix} was {status} on {changed_at}.",
            "The API key starting with {api_key_prefix} is {status}.",
        ),
        "de": (
            "Der API-Schlüssel mit dem Präfix {api_key_prefix} ist seit {changed_at} {status}.",
            "Der API-Schlüssel mit dem Präfix {api_key_prefix} ist {status}.",
        ),
        "fr": (
            "La clé API commençant par {api_key_prefix} est {status} depuis le {changed_at}.",
            "La clé API commençant par {api_key_prefix} est {status}.",
        ),
        "es": (
            "La clave de API que empieza por {api_key_prefix} está {status} desde el {changed_at}.",
            "La clave de API que empieza por {api_key_prefix} está {status}.",
        ),
    },
    "logs.rate_limits": {
        "en": (
            "{count} requests received HTTP 429 ({error_code}) between {first_at} and {last_at}.",
            "{count} requests received HTTP 429 ({error_code}).",
        ),
        "de": (
            "{count} Anfragen erhielten zwischen {first_at} und {last_at} HTTP 429 ({error_code}).",
            "{count} Anfragen erhielten HTTP 429 ({error_code}).",
        ),
        "fr": (
            "{count} requêtes ont reçu HTTP 429 ({error_code}) entre {first_at} et {last_at}.",
            "{count} requêtes ont reçu HTTP 429 ({error_code}).",
        ),
        "es": (
            "{count} solicitudes recibieron HTTP 429 ({error_code}) entre {first_at} y {last_at}.",
            "{count} solicitudes recibieron HTTP 429 ({error_code}).",
        ),
    },
    "behaviours.documented_behaviour": {
        "en": (
            "This is documented behaviour ({title}): {text}",
            "This is documented behaviour: {title} (up to {documented_bound_minutes} minutes).",
            "This is documented behaviour: {title}.",
        ),
        "de": (
            "Das ist dokumentiertes Verhalten ({title}): {text}",
            "Das ist dokumentiertes Verhalten: {title} (bis zu {documented_bound_minutes} Minuten).",
            "Das ist dokumentiertes Verhalten: {title}.",
        ),
        "fr": (
            "C'est un comportement documenté ({title}) : {text}",
            "C'est un comportement documenté : {title} (jusqu'à {documented_bound_minutes} minutes).",
            "C'est un comportement documenté : {title}.",
        ),
        "es": (
            "Es un comportamiento documentado ({title}): {text}",
            "Es un comportamiento documentado: {title} (hasta {documented_bound_minutes} minutos).",
            "Es un comportamiento documentado: {title}.",
        ),
    },
    "events.processing_delays": {
        "en": (
            "The {object} was queued at {queued_at} and completed at {completed_at}.",
            "The {object} was queued at {queued_at}.",
            "{completed_runs} delayed runs completed within {longest_delay_minutes} min, inside the "
            "documented {documented_bound_minutes} min.",
        ),
        "de": (
            "{object} wurde um {queued_at} eingereiht und um {completed_at} abgeschlossen.",
            "{object} wurde um {queued_at} eingereiht.",
        ),
        "fr": (
            "{object} a été mis en file d'attente à {queued_at} et terminé à {completed_at}.",
            "{object} a été mis en file d'attente à {queued_at}.",
        ),
        "es": (
            "{object} se puso en cola a las {queued_at} y terminó a las {completed_at}.",
            "{object} se puso en cola a las {queued_at}.",
        ),
    },
    "events.processing_delays:one": {
        "en": (
            "1 delayed run completed within {longest_delay_minutes} min, inside the documented "
            "{documented_bound_minutes} min.",
        ),
    },
    "events.workspace_activity": {
        "en": (
            "{object} is in workspace {actual_workspace}, not in {ticket_workspace}.",
            "Your recent activity for this happened in workspace {actual_workspace}.",
        ),
        "de": (
            "{object} liegt im Workspace {actual_workspace}, nicht in {ticket_workspace}.",
            "Ihre letzte Aktivität dazu fand im Workspace {actual_workspace} statt.",
        ),
        "fr": (
            "{object} se trouve dans l'espace de travail {actual_workspace}, pas dans {ticket_workspace}.",
            "Votre activité récente à ce sujet a eu lieu dans l'espace de travail {actual_workspace}.",
        ),
        "es": (
            "{object} está en el espacio de trabajo {actual_workspace}, no en {ticket_workspace}.",
            "Su actividad reciente al respecto fue en el espacio de trabajo {actual_workspace}.",
        ),
    },
    "changes.recent_deploys": {
        "en": (
            "We released a change to {component} at {deployed_at}, shortly before the errors started.",
            "We released a change to {component} shortly before the errors started.",
        ),
        "de": (
            "Wir haben am {deployed_at} eine Änderung an {component} ausgerollt, kurz bevor die Fehler begannen.",
            "Wir haben kurz vor Beginn der Fehler eine Änderung an {component} ausgerollt.",
        ),
        "fr": (
            "Nous avons déployé une modification de {component} le {deployed_at}, "
            "peu avant le début des erreurs.",
            "Nous avons déployé une modification de {component} peu avant le début des erreurs.",
        ),
        "es": (
            "Publicamos un cambio en {component} el {deployed_at}, poco antes de que empezaran los errores.",
            "Publicamos un cambio en {component} poco antes de que empezaran los errores.",
        ),
    },
    "logs.error_spike": {
        "en": (
            "Since {first_at}, {count} of your requests to {component} failed with {error_code}.",
            "Since {first_at}, requests to {component} have been failing with {error_code}.",
        ),
        "de": (
            "Seit {first_at} sind {count} Ihrer Anfragen an {component} mit {error_code} fehlgeschlagen.",
            "Seit {first_at} schlagen Anfragen an {component} mit {error_code} fehl.",
        ),
        "fr": (
            "Depuis {first_at}, {count} de vos requêtes vers {component} ont échoué avec {error_code}.",
            "Depuis {first_at}, les requêtes vers {component} échouent avec {error_code}.",
        ),
        "es": (
            "Desde {first_at}, {count} de sus solicitudes a {component} fallaron con {error_code}.",
            "Desde {first_at}, las solicitudes a {component} fallan con {error_code}.",
        ),
    },
    "incidents.open_incidents": {
        "en": (
            "Incident {title} has been open since {started_at} (status: {status}).",
            "Incident {title} is open (status: {status}).",
            "An incident affecting {components} has been open since {started_at} (status: {status}).",
        ),
        "de": (
            "Die Störung {title} besteht seit {started_at} (Status: {status}).",
            "Die Störung {title} ist offen (Status: {status}).",
            "Eine Störung von {components} besteht seit {started_at} (Status: {status}).",
        ),
        "fr": (
            "L'incident {title} est ouvert depuis le {started_at} (statut : {status}).",
            "L'incident {title} est ouvert (statut : {status}).",
            "Un incident touchant {components} est ouvert depuis le {started_at} (statut : {status}).",
        ),
        "es": (
            "La incidencia {title} está abierta desde el {started_at} (estado: {status}).",
            "La incidencia {title} está abierta (estado: {status}).",
            "Una incidencia que afecta a {components} está abierta desde el {started_at} (estado: {status}).",
        ),
    },
    "incidents.open_incidents:resolved": {
        "en": (
            "Incident {title} began at {started_at} and is now resolved.",
            "Incident {title} is now resolved.",
            "An incident affecting {components} began at {started_at} and is now resolved.",
        ),
        "de": (
            "Die Störung {title} begann am {started_at} und ist inzwischen behoben.",
            "Die Störung {title} ist inzwischen behoben.",
            "Eine Störung von {components} begann am {started_at} und ist inzwischen behoben.",
        ),
        "fr": (
            "L'incident {title} a commencé le {started_at} et est désormais résolu.",
            "L'incident {title} est désormais résolu.",
            "Un incident touchant {components} a commencé le {started_at} et est désormais résolu.",
        ),
        "es": (
            "La incidencia {title} empezó el {started_at} y ya está resuelta.",
            "La incidencia {title} ya está resuelta.",
            "Una incidencia que afecta a {components} empezó el {started_at} y ya está resuelta.",
        ),
    },
    "logs.integration_errors": {
        "en": (
            "Since {first_at}, {count} calls to {integration} failed with {error_code}.",
            "Calls to {integration} are failing with {error_code}.",
        ),
        "de": (
            "Seit {first_at} sind {count} Aufrufe an {integration} mit {error_code} fehlgeschlagen.",
            "Aufrufe an {integration} schlagen mit {error_code} fehl.",
        ),
        "fr": (
            "Depuis {first_at}, {count} appels vers {integration} ont échoué avec {error_code}.",
            "Les appels vers {integration} échouent avec {error_code}.",
        ),
        "es": (
            "Desde {first_at}, {count} llamadas a {integration} fallaron con {error_code}.",
            "Las llamadas a {integration} fallan con {error_code}.",
        ),
    },
    "events.deletions": {
        "en": (
            "{object} was deleted by {deleted_by} on {deleted_at}.",
            "{object} was deleted on {deleted_at} by a user of your account.",
        ),
        "de": (
            "{object} wurde am {deleted_at} von {deleted_by} gelöscht.",
            "{object} wurde am {deleted_at} von einem Nutzer Ihres Kontos gelöscht.",
        ),
        "fr": (
            "{object} a été supprimé par {deleted_by} le {deleted_at}.",
            "{object} a été supprimé le {deleted_at} par un utilisateur de votre compte.",
        ),
        "es": (
            "{deleted_by} borró {object} el {deleted_at}.",
            "Un usuario de su cuenta borró {object} el {deleted_at}.",
        ),
    },
}

# Next action per cause (falls back to the class).
NEXT_ACTIONS: dict[str, dict[str, Variants]] = {
    "plan_limit": {
        "en": (
            "To go beyond {limit} {limit_label}, an owner or admin of your account can upgrade the plan "
            "under Settings → Billing; otherwise the limit applies again when the period resets.",
            "An owner or admin of your account can raise the limit by upgrading the plan under "
            "Settings → Billing.",
        ),
        "de": (
            "Für mehr als {limit} {limit_label} kann ein Owner oder Admin Ihres Kontos den Tarif unter "
            "Einstellungen → Abrechnung erweitern; sonst gilt das Limit wieder ab dem nächsten Zeitraum.",
            "Ein Owner oder Admin Ihres Kontos kann das Limit über einen größeren Tarif unter "
            "Einstellungen → Abrechnung erhöhen.",
        ),
        "fr": (
            "Pour dépasser {limit} {limit_label}, un propriétaire ou un administrateur du compte peut "
            "changer de forfait dans Paramètres → Facturation ; sinon la limite se réinitialise à la "
            "prochaine période.",
            "Un propriétaire ou un administrateur du compte peut relever la limite en changeant de "
            "forfait dans Paramètres → Facturation.",
        ),
        "es": (
            "Para superar {limit} {limit_label}, un propietario o administrador de la cuenta puede "
            "mejorar el plan en Ajustes → Facturación; si no, el límite se reinicia en el siguiente periodo.",
            "Un propietario o administrador de la cuenta puede ampliar el límite mejorando el plan en "
            "Ajustes → Facturación.",
        ),
    },
    "missing_permission": {
        "en": (
            "Ask an admin or owner of your account to give {user} the {required_role} role under "
            "Settings → Members.",
            "Ask an admin or owner of your account to give the user a role with this permission under "
            "Settings → Members.",
        ),
        "de": (
            "Bitten Sie einen Admin oder Owner Ihres Kontos, {user} unter Einstellungen → Mitglieder die "
            "Rolle {required_role} zu geben.",
            "Bitten Sie einen Admin oder Owner Ihres Kontos, dem Nutzer unter Einstellungen → Mitglieder "
            "eine Rolle mit dieser Berechtigung zu geben.",
        ),
        "fr": (
            "Demandez à un administrateur ou au propriétaire du compte de donner le rôle {required_role} "
            "à {user} dans Paramètres → Membres.",
            "Demandez à un administrateur ou au propriétaire du compte d'attribuer un rôle disposant de "
            "cette autorisation dans Paramètres → Membres.",
        ),
        "es": (
            "Pida a un administrador o propietario de la cuenta que asigne a {user} el rol "
            "{required_role} en Ajustes → Miembros.",
            "Pida a un administrador o propietario de la cuenta que asigne un rol con este permiso en "
            "Ajustes → Miembros.",
        ),
    },
    "feature_flag_off": {
        "en": (
            "If you want {flag} enabled, an admin of your account can reply to this message to confirm, "
            "and we will turn it on.",
        ),
        "de": (
            "Wenn Sie {flag} nutzen möchten, kann ein Admin Ihres Kontos dies per Antwort auf diese "
            "Nachricht bestätigen; dann schalten wir die Funktion frei.",
        ),
        "fr": (
            "Si vous souhaitez activer {flag}, un administrateur du compte peut le confirmer en répondant "
            "à ce message, et nous l'activerons.",
        ),
        "es": (
            "Si quiere activar {flag}, un administrador de la cuenta puede confirmarlo respondiendo a este "
            "mensaje y la activaremos.",
        ),
    },
    "sso_config_change": {
        "en": (
            "Your identity provider admin should check the SSO change made on {changed_at} and make the "
            "setting in Settings → Security → SSO match your identity provider again.",
            "Your identity provider admin should make the setting in Settings → Security → SSO match "
            "your identity provider again.",
        ),
        "de": (
            "Der Admin Ihres Identity Providers sollte die SSO-Änderung vom {changed_at} prüfen und die "
            "Einstellung unter Einstellungen → Sicherheit → SSO wieder an den Identity Provider anpassen.",
            "Der Admin Ihres Identity Providers sollte die Einstellung unter Einstellungen → Sicherheit → "
            "SSO wieder an den Identity Provider anpassen.",
        ),
        "fr": (
            "L'administrateur de votre fournisseur d'identité doit vérifier la modification SSO du "
            "{changed_at} et réaligner le paramètre dans Paramètres → Sécurité → SSO.",
            "L'administrateur de votre fournisseur d'identité doit réaligner le paramètre dans "
            "Paramètres → Sécurité → SSO.",
        ),
        "es": (
            "El administrador de su proveedor de identidad debe revisar el cambio de SSO del {changed_at} "
            "y volver a alinear el ajuste en Ajustes → Seguridad → SSO.",
            "El administrador de su proveedor de identidad debe volver a alinear el ajuste en "
            "Ajustes → Seguridad → SSO.",
        ),
    },
    "api_key_expired": {
        "en": (
            "Create a new API key under Settings → API keys and replace the key starting with "
            "{api_key_prefix} wherever it is used.",
            "Create a new API key under Settings → API keys and replace the old key wherever it is used.",
        ),
        "de": (
            "Erstellen Sie unter Einstellungen → API-Schlüssel einen neuen Schlüssel und ersetzen Sie den "
            "Schlüssel mit dem Präfix {api_key_prefix} überall, wo er verwendet wird.",
            "Erstellen Sie unter Einstellungen → API-Schlüssel einen neuen Schlüssel und ersetzen Sie den "
            "alten überall, wo er verwendet wird.",
        ),
        "fr": (
            "Créez une nouvelle clé dans Paramètres → Clés API et remplacez la clé commençant par "
            "{api_key_prefix} partout où elle est utilisée.",
            "Créez une nouvelle clé dans Paramètres → Clés API et remplacez l'ancienne partout où elle est "
            "utilisée.",
        ),
        "es": (
            "Cree una clave nueva en Ajustes → Claves de API y sustituya la clave que empieza por "
            "{api_key_prefix} allí donde se use.",
            "Cree una clave nueva en Ajustes → Claves de API y sustituya la antigua allí donde se use.",
        ),
    },
    "rate_limited": {
        "en": (
            "Keep requests under {limit} API calls per hour and, after a 429 response, wait for the time "
            "in its Retry-After header before retrying.",
            "After a 429 response, wait for the time in its Retry-After header before retrying.",
        ),
        "de": (
            "Bleiben Sie unter {limit} API-Aufrufen pro Stunde und warten Sie nach einer 429-Antwort die "
            "im Retry-After-Header genannte Zeit ab.",
            "Warten Sie nach einer 429-Antwort die im Retry-After-Header genannte Zeit ab.",
        ),
        "fr": (
            "Restez sous {limit} appels API par heure et, après une réponse 429, attendez le délai indiqué "
            "dans l'en-tête Retry-After.",
            "Après une réponse 429, attendez le délai indiqué dans l'en-tête Retry-After.",
        ),
        "es": (
            "Mantenga las solicitudes por debajo de {limit} llamadas a la API por hora y, tras una "
            "respuesta 429, espere el tiempo indicado en la cabecera Retry-After.",
            "Tras una respuesta 429, espere el tiempo indicado en la cabecera Retry-After.",
        ),
    },
    "documented_delay": {
        "en": ("No change is needed: the result arrives within the documented time.",),
        "de": ("Sie müssen nichts ändern: Das Ergebnis kommt innerhalb der dokumentierten Zeit.",),
        "fr": ("Aucune action n'est nécessaire : le résultat arrive dans le délai documenté.",),
        "es": ("No hace falta ningún cambio: el resultado llega dentro del plazo documentado.",),
    },
    "wrong_workspace": {
        "en": ("Switch to workspace {actual_workspace} in the workspace menu at the top left.",),
        "de": ("Wechseln Sie oben links im Workspace-Menü in den Workspace {actual_workspace}.",),
        "fr": ("Passez à l'espace de travail {actual_workspace} via le menu en haut à gauche.",),
        "es": ("Cambie al espacio de trabajo {actual_workspace} en el menú de arriba a la izquierda.",),
    },
    "user_deleted_data": {
        "en": (
            "If you need {object} back, reply to this message and we will check whether it can be restored.",
        ),
        "de": (
            "Wenn Sie {object} zurückbrauchen, antworten Sie auf diese Nachricht; wir prüfen dann, ob "
            "eine Wiederherstellung möglich ist.",
        ),
        "fr": (
            "Si vous avez besoin de récupérer {object}, répondez à ce message et nous vérifierons si une "
            "restauration est possible.",
        ),
        "es": (
            "Si necesita recuperar {object}, responda a este mensaje y comprobaremos si se puede restaurar.",
        ),
    },
    "integration_outage": {
        "en": (
            "The outage is at {integration}, outside our systems. We will update this ticket when "
            "{integration} has recovered; no change is needed on your side.",
        ),
        "de": (
            "Der Ausfall liegt bei {integration}, außerhalb unserer Systeme. Wir melden uns in diesem "
            "Ticket, sobald {integration} wieder läuft; Sie müssen nichts ändern.",
        ),
        "fr": (
            "La panne se situe chez {integration}, en dehors de nos systèmes. Nous mettrons ce ticket à "
            "jour dès le rétablissement de {integration} ; aucune action n'est nécessaire de votre part.",
        ),
        "es": (
            "La caída está en {integration}, fuera de nuestros sistemas. Actualizaremos este ticket "
            "cuando {integration} se recupere; no necesita cambiar nada.",
        ),
    },
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
    },
    "expected_behavior": {
        "en": "Reply to this message if the explanation above does not match what you see.",
        "de": "Antworten Sie auf diese Nachricht, falls die Erklärung nicht zu dem passt, was Sie sehen.",
        "fr": "Répondez à ce message si cette explication ne correspond pas à ce que vous constatez.",
        "es": "Responda a este mensaje si la explicación no coincide con lo que ve.",
    },
    "configuration_issue": {
        "en": "Once the setting above is changed, try again; reply to this message if it still fails.",
        "de": "Versuchen Sie es nach der Änderung erneut; antworten Sie, falls es weiterhin fehlschlägt.",
        "fr": "Réessayez une fois le paramètre modifié ; répondez à ce message si l'échec persiste.",
        "es": "Vuelva a intentarlo tras cambiar el ajuste; responda a este mensaje si sigue fallando.",
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
    },
    "incident:resolved": {
        "en": "Please try again; if it still fails, reply to this message and we will look into it.",
        "de": "Bitte versuchen Sie es erneut; falls es weiterhin fehlschlägt, antworten Sie auf diese "
        "Nachricht, dann sehen wir es uns an.",
        "fr": "Veuillez réessayer ; si l'échec persiste, répondez à ce message et nous examinerons le problème.",
        "es": "Vuelva a intentarlo; si sigue fallando, responda a este mensaje y lo revisaremos.",
    },
    "needs_info": {
        "en": "Reply to this message with these details and we will continue the investigation.",
        "de": "Antworten Sie mit diesen Angaben auf diese Nachricht, dann setzen wir die Untersuchung fort.",
        "fr": "Répondez à ce message avec ces précisions et nous poursuivrons l'analyse.",
        "es": "Responda a este mensaje con estos datos y continuaremos la investigación.",
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
    },
}

# Questions for each missing identifier when intake supplied none.
MISSING_QUESTIONS: dict[str, dict[str, str]] = {
    "action": {
        "en": "What were you trying to do (for example export a dashboard, call an API endpoint, sign in)?",
        "de": "Was wollten Sie tun (zum Beispiel ein Dashboard exportieren, einen API-Endpunkt aufrufen, "
        "sich anmelden)?",
        "fr": "Qu'essayiez-vous de faire (par exemple exporter un tableau de bord, appeler l'API, "
        "vous connecter) ?",
        "es": "¿Qué intentaba hacer (por ejemplo exportar un panel, llamar a la API, iniciar sesión)?",
    },
    "error_details": {
        "en": "What exactly did you see: the error message or code, or a screenshot?",
        "de": "Was genau haben Sie gesehen: die Fehlermeldung oder den Fehlercode, oder einen Screenshot?",
        "fr": "Qu'avez-vous vu exactement : le message ou code d'erreur, ou une capture d'écran ?",
        "es": "¿Qué vio exactamente: el mensaje o código de error, o una captura de pantalla?",
    },
    "workspace_id": {
        "en": "Which workspace is affected? The link from your browser's address bar is enough.",
        "de": "Welcher Workspace ist betroffen? Der Link aus der Adresszeile Ihres Browsers genügt.",
        "fr": "Quel espace de travail est concerné ? Le lien de la barre d'adresse suffit.",
        "es": "¿Qué espacio de trabajo está afectado? Basta con el enlace de la barra de direcciones.",
    },
    "time_window": {
        "en": "When did this happen (date and approximate time, with your time zone)?",
        "de": "Wann ist das passiert (Datum und ungefähre Uhrzeit mit Zeitzone)?",
        "fr": "Quand cela s'est-il produit (date et heure approximative, avec votre fuseau horaire) ?",
        "es": "¿Cuándo ocurrió (fecha y hora aproximada, con su zona horaria)?",
    },
}
