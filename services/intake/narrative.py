"""What the customer tried, what they expected, what happened, and the steps they took.

Two shapes of text carry this. Bug-report templates ("Steps to reproduce: / Actual results: /
Expected results:", and their German, French and Spanish forms) give it section by section;
free prose gives it in clauses introduced by a small set of cue words ("I tried to", "when I",
"can't", "should", "instead"; "ich wollte", "sollte"; "j'essaie de", "devrait"; "intento",
"debería"). Cue words are matched per sentence, so the extractors generalize over phrasings
rather than over whole sentences.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from services.intake.cleaning import fold
from services.intake.extract import MAIL_HEADER, about_another_party, written_by_a_machine
from services.intake.lexicon import GUESS, GUESS_WORDS, SYMPTOM, WORKS, guesses_the_cause
from services.intake.patterns import Gated
from services.intake.vocabulary import CODE_STRENGTH, IntakeVocabulary

MAX_SECTION_CHARS = 4000
MAX_CLAUSE_CHARS = 160

_LABELS: dict[str, tuple[str, ...]] = {
    "steps": (
        "steps to reproduce", "steps to reproduce the problem", "str", "reproduction steps", "repro steps",
        "how to reproduce", "steps", "schritte zur reproduktion", "schritte zum reproduzieren",
        "schritte", "étapes pour reproduire", "étapes de reproduction", "étapes", "pasos para reproducir",
        "pasos",
    ),
    "actual": (
        "actual results", "actual result", "actual behaviour", "actual behavior", "observed behaviour",
        "observed behavior", "observed result", "what happened", "what happens", "actual",
        "tatsächliches ergebnis", "tatsächliches verhalten", "ist-verhalten", "ergebnis",
        "résultat obtenu", "résultat actuel", "comportement actuel", "resultado actual",
        "resultado obtenido", "comportamiento actual",
    ),
    "expected": (
        "expected results", "expected result", "expected behaviour", "expected behavior",
        "expected outcome", "what i expected", "what should happen", "expected", "erwartetes ergebnis",
        "erwartetes verhalten", "soll-verhalten", "résultat attendu", "comportement attendu",
        "resultado esperado", "comportamiento esperado",
    ),
    "user_agent": ("user agent", "user-agent"),
}  # fmt: skip
_LABEL_KIND = {label: kind for kind, labels in _LABELS.items() for label in labels}
_HEADER = re.compile(
    r"^[ \t]*(?:#{1,4}[ \t]*|\*\*|__)?(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_LABEL_KIND, key=len, reverse=True))
    + r")[ \t]*(?:\*\*|__)?[ \t]*(?:[:：]|(?=[ \t]*$))[ \t]*(?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_BARE_LABELS = frozenset({"str", "steps", "actual", "expected", "ergebnis", "schritte", "étapes", "pasos"})

# a clause runs to the first hard delimiter (":" and "." only when not inside a URL or version) ...
_CLAUSE = r"(?P<a>(?:[^.!?\n,;:(]|[.:](?=[\w/])){3,400})"
# ... and is cut before the part that tells what happened instead
_SOFT_STOP = re.compile(
    r"\s+(?:but|however|and (?:then )?(?:i |we )?(?:get|got|gets|see|saw|receive|received)|"
    r"it (?:fails|failed|returns|returned|shows|showed|says|said|throws|just)|"
    r"aber|jedoch|und (?:bekomme|erhalte|sehe)|mais|et (?:j'obtiens|je reçois|je vois|ça)|pero|"
    r"y (?:me|recibo|obtengo|veo))\b"
)
_ACTION_CUE_PREFIXES = (
    r"\b(?:trying|tried|try|attempting|attempted|attempt|wanted|want|wanting|needed|need)\s+to\s+",
    # (not a courtesy: "call me when you get a moment", "as soon as you can")
    r"\b(?:when|whenever|while|each time|every time|as soon as)\s+(?:i|we|users?|they|someone|you|"
    r"our \w+)\s+(?!(?:get|have|find)\s+(?:a|the)\s+(?:moment|minute|chance|sec\w*)|have time|are free|can\b)"
    r"(?:try to\s+|tries to\s+)?",
    r"\b(?:can(?:no|'|’)?t|can not|cannot|unable to|not able to|couldn't|could not|won't let (?:me|us)|"
    r"doesn't let (?:me|us)|does not let (?:me|us)|no longer able to|can no longer|failed to|fail to|"
    r"fails to|impossible to)\s+",
    r"\b(?:ich|wir)\s+(?:versuche|versuchen|versuchte|versuchten|wollte|wollten|möchte|möchten|will),?\s+",
    r"\b(?:wenn|als|sobald)\s+(?:ich|wir|man|unsere?\s+\w+)\s+",
    r"\bbeim\s+",
    r"\b(?:kann|können|konnte|konnten)\s+(?:ich|wir|man)\s+",
    r"\b(?:j'essaie|j’essaie|j'ai essayé|nous essayons|nous avons essayé|je voulais|je veux|je souhaite|"
    r"nous voulons|nous voulions|en essayant|on essaie)\s+(?:de\s+|d['’])",
    r"\b(?:quand|lorsque|lorsqu['’])\s*(?:je|j['’]|nous|on|un utilisateur)\s*",
    r"\b(?:impossible|incapable)\s+(?:de\s+|d['’])",
    r"\b(?:je|nous|on)\s+n['’](?:arrive|arrivons)\s+(?:pas|plus)\s+à\s+",
    r"\b(?:je|nous|on)\s+ne\s+(?:peux|pouvons|peut|pouvais|pouvions)\s+(?:pas|plus)\s+",
    r"\b(?:intento|intenté|intentamos|intentaba|intentando|quiero|quería|queríamos|trato de|traté de|"
    r"tratando de)\s+(?:de\s+)?",
    r"\bal\s+(?:intentar\s+)?(?=[^\W\d_]+(?:ar|er|ir)\b)",  # "al exportar": "al" with an infinitive
    r"\bcuando\s+(?:intento\s+|intentamos\s+|quiero\s+)?",
    r"\bno\s+(?:puedo|podemos|consigo|conseguimos|logro|pude|pudimos)\s+",
    r"\b(?:ability|allowed|option|permission|possibility|way|how|able|letting (?:me|us)|let (?:me|us)|"
    r"stopped letting (?:me|us))\s+to\s+",
    r"\b(?:stopped|stops) letting (?:me|us|them|people)\s+",
    r"\b(?:habe|haben|hatte|hatten)\s+(?:ich|wir)\s+versucht,?\s+",
    r"\b(?:ich|wir)\s+(?:habe|haben)\s+versucht,?\s+",
    r"\b(?:nicht|kaum)\s+(?:mehr\s+)?möglich,?\s+",
    r"\bschaff\w*\s+es\s+nicht(?:\s+mehr)?,?\s+",
    r"\b(?:darf|dürfen)\s+(?:\w+\s+){0,2}nicht\s+(?:mehr\s+)?",
    r"\b(?:le droit|la permission|la possibilité|l['’]option)\s+(?:de\s+|d['’])",
    r"\b(?:la fonction|l['’]option)\s+pour\s+",
    r"\b(?:permiso|la opción|la posibilidad)\s+(?:para|de)\s+",
    r"\b(?:es\s+)?imposible\s+",
    r"\bya\s+no\s+(?:puedo|podemos|consigo|conseguimos)\s+",
    # a first-person account of what was done: the clause keeps its verb ("scheduled an export")
    r"\b(?:i|we)\s+(?:just\s+|then\s+)?(?=(?:started|scheduled|ran|created|set up|opened|uploaded|"
    r"exported|launched|triggered|kicked off|requested|built|added|connected|shared|invited|clicked|"
    r"ran|synced|imported|downloaded|saved|deleted|edited|changed|updated|configured|enabled|disabled)\s)",
)
_ACTION_CUES = [re.compile(prefix + _CLAUSE) for prefix in _ACTION_CUE_PREFIXES]
_ACTION_CUE_AT = re.compile("(?=" + "|".join(f"(?:{prefix})" for prefix in _ACTION_CUE_PREFIXES) + ")")
# The words a cue prefix can start with (a superset: the literal start of each prefix above, whole
# words where the prefix continues with a space). Scanning for these and trying `_ACTION_CUE_AT`
# only where one starts finds the same positions several times faster than scanning with it: a
# prefix added above must add its first word here (tests/unit/test_intake_normalize.py checks).
_ACTION_CUE_START = re.compile(
    r"\b(?:(?:en|on|es|al|no|le|la|ya|i|we|je|nous|as|ich|wir|als)\b|tr[yi]|attempt|want|need|when|while|"
    r"each|every|can|unable|not|could|won|doesn|does|fail|impossible|wenn|sobald|beim|kann|könn|konnte|j['’]|"
    r"quand|lorsqu|incapable|intent|quier|quer|trat|cuando|ability|allowed|option|permission|possibility|way|"
    r"how|able|let|stop|hab|hatte|nicht|kaum|schaff|darf|dürfen|l['’]|permiso|imposible)"
)
_FAILURE_SUBJECT = re.compile(
    r"(?:^|[.!?\n]\s*)(?P<a>[^.!?\n,;:]{3,80}?)\s+(?:fails|failed|is failing|keeps failing|doesn't work|"
    r"does not work|don't work|do not work|not working|isn't working|aren't working|won't (?:load|open|work|"
    r"sync|run|save)|is broken|are broken|broke|returns|returned|throws|errors out|times out|timed out|"
    r"is stuck|are stuck|hangs|schlägt fehl|funktioniert nicht|geht nicht|klappt nicht|ist fehlgeschlagen|"
    r"échoue|a échoué|ne fonctionne (?:pas|plus)|ne marche (?:pas|plus)|falla|falló|no funciona|"
    r"ha fallado|"
    # symptoms that are not failures of one request: wrong data back, sessions dropped, slowness,
    # broken rendering — in each language the demo speaks
    r"gives? back|gave back|comes? back (?:with|empty)|came back (?:with|empty)|"
    r"(?:logs?|signs?|kicks?) (?:me|us|people|users|everyone) out|keeps? (?:logging|signing) (?:me|us) out|"
    r"meldet (?:mich|uns) (?:\w+ ){0,3}ab|me déconnecte|nous déconnecte|me cierra la sesión|"
    r"takes? (?:a (?:long|very long) time|forever|ages|minutes)|(?:is|are|feels?) (?:slow|sluggish)|"
    r"loads? slowly|lädt (?:\w+ ){0,3}langsam|met\w* (?:\w+ ){0,2}longtemps|tarda\w* (?:\w+ )?mucho|"
    r"looks? (?:off|wrong|weird|strange|different|broken)|render\w* (?:wrong\w*|with)|"
    r"sieht (?:\w+ )?(?:komisch|falsch|seltsam) aus|se ve (?:rara|mal)|est bizarre)\b",
    0,
)
_FAILURE_VERB = Gated(
    re.compile(
        r"fail|work|broke|return|throw|error|time|stuck|hang|fehl|geht|klappt|échou|fonctionne|marche|falla|falló|"
        r"back|out|slow|sluggish|ages|forever|langsam|longtemps|mucho|sesión|déconnecte|look|render|aus\b|rara|bizarre"
    )
)
# Things used in software, in general terms; the domain's names for its tenant and scope are added
# per vocabulary (`_things`).
_SOFTWARE_THINGS = (
    r"export\w*|dashboard\w*|log\s?in|login|sign\s?in|sso|saml|api|key|token|report\w*|integration\w*|"
    r"sync\w*|upload\w*|download\w*|import\w*|share|sharing|invite\w*|chart\w*|widget\w*|schedul\w*|"
    r"webhook\w*|query|queries|request\w*|connector\w*|ingest\w*|pipeline\w*|user\w*|"
    r"seat\w*|invoice\w*|billing|payment\w*|csv|pdf|"
    r"anmeld\w*|bericht\w*|exportation|exportación|connexion|informe\w*|tableau\w*|panel\w*|rapport\w*|"
    r"page|button|app|site|browser|window|tab|mail|editor|composer|bookmark\w*|menu"
)


@lru_cache(maxsize=8)
def _things(vocabulary: IntakeVocabulary) -> re.Pattern[str]:
    extra = "".join("|" + re.escape(word) + r"\w*" for word in vocabulary.tenant_words if word.isalpha())
    return re.compile(r"\b(?:" + _SOFTWARE_THINGS + extra + r")\b")


def _names_a_thing(clause: str, vocabulary: IntakeVocabulary) -> bool:
    """Whether a failing clause's subject is something used in software (a page, a key, an
    export), the domain's tenant or scope, or one of its integrations."""
    integrations = vocabulary.integrations
    return bool(_things(vocabulary).search(clause) or (integrations and integrations.search(fold(clause))))


_EXPECTED_CUES = Gated(
    re.compile(
        r"\b(?:expect\w*|should(?:n't| not)?|supposed to|used to|normally|would like|ought to|"
        r"erwart\w*|sollte\w*|eigentlich|normalerweise|müsste|devrai\w*|attend\w*|censée?s?|normalement|"
        r"debería\w*|esperaba\w*|esperado|se supone|normalmente|tendría que)\b",
        0,
    )
)
_EXPECTED_CLAUSE = re.compile(
    r"\b(?:i|we)\s+(?:would\s+)?expect(?:ed)?\s+(?:that\s+|it\s+to\s+|to\s+)?(?P<e>[^.!?\n]{3,200})"
    r"|\bexpected\s+(?:result|behaviou?r|outcome)?\s*(?:is|was|would be|:)\s*(?P<e2>[^.!?\n]{3,200})",
    0,
)
_FAILURE_CUES = re.compile(
    r"\b(?:error\w*|fails?|failed|failing|failure|doesn't|does not|didn't|did not|won't|not working|broken|"
    r"returns?|returned|shows?|showing|instead|nothing happens|blank|stuck|hangs?|spinning|missing|"
    r"disappeared|gone|empty|denied|rejected|can't|cannot|unable|timeout|timed out|crash\w*|slow|"
    r"fehler\w*|meldung|funktioniert nicht|schlägt fehl|fehlgeschlagen|geht nicht|zeigt|erscheint|leer|fehlt|"
    r"verschwunden|erreur|échoue|échec|ne fonctionne|ne marche|affiche|vide|manque|bloqué|disparu|"
    r"falla|falló|no funciona|aparece|muestra|vacío|vacía|falta|desaparec\w*)\b"
    r"|\b[45]\d\d\b",
)
_CODE_CUE = re.compile(r"[A-Z]{2,}_[A-Z_]{2,}")
_BUT = re.compile(
    r"\b(?:but|however|instead|aber|stattdessen|jedoch|mais|au lieu|pero|sin embargo|en cambio)\b[,\s]*",
    0,
)
# Splits at whitespace after [.!?] before a non-lower-case character, or at newlines; written to
# start with a whitespace character (not a look-behind) so the engine jumps from space to space.
_SENTENCE_SPLIT = re.compile(r"\s(?:(?<=[.!?]\s)\s*(?=[^\sa-z])|(?<=\n)\n*)")

_TYPE_WORD = re.compile(r"[\w'-]+")
_PARTS = re.compile(r"[-']")


@dataclass
class Narrative:
    action: str | None = None
    expected: str | None = None
    actual: str | None = None
    steps: str | None = None
    user_agent: str | None = None
    templated: frozenset[str] = frozenset()
    """The fields a bug-report template gave (its sections are kept as written)."""


def template_sections(text: str) -> dict[str, str]:
    """Bug-report template sections by kind (steps, actual, expected, user_agent)."""
    headers = [
        m
        for m in _HEADER.finditer(fold(text))
        if m.group("label").lower() not in _BARE_LABELS or m.group(0).rstrip().endswith((":", "："))
    ]
    sections: dict[str, str] = {}
    for index, match in enumerate(headers):
        kind = _LABEL_KIND[match.group("label").lower()]
        if kind == "user_agent":
            sections.setdefault(kind, text[match.start("rest") : match.end("rest")].strip())
            continue
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        body = text[match.start("rest") : end].strip()
        if body and kind not in sections:
            sections[kind] = body[:MAX_SECTION_CHARS]
    return sections


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_TRAILING_FILLER = re.compile(
    r"(?i)(?:\s+(?:in|on|at|from|to|for|via|with|im|auf|dans|sur|en|the|a|an))+\s*$"
)
_NEGATION_FILLER = re.compile(r"(?i)\b(?:nicht|mehr|mich|uns|pas|plus)\s+")


def _tidy(clause: str, told: bool = False) -> str:
    """The clause without links, leading "to" and trailing prepositions, and (what follows a cue
    such as "can't": "mich nicht mehr anmelden") its negation; a clause `told` as the customer
    said it keeps its negation ("der Export wird nicht mehr ausgeführt")."""
    clause = _URL.sub(" ", clause)
    clause = " ".join(clause.split()).strip(" -–—'\"“”«»")
    clause = re.sub(r"(?i)^(?:to|zu|de|d'|à|a)\s+", "", clause)
    clause = _TRAILING_FILLER.sub("", clause if told else _NEGATION_FILLER.sub("", clause))
    return clause[:MAX_CLAUSE_CHARS]


def cue_positions(text: str) -> Iterator[int]:
    """Where some action cue's prefix starts: the positions of `_ACTION_CUE_AT.finditer(text)`.

    Every cue starts with a letter right after a word boundary; a candidate match spans letters
    (and at most a final apostrophe), so no cue can start inside one and be skipped."""
    cue_at = _ACTION_CUE_AT.match
    for candidate in _ACTION_CUE_START.finditer(text):
        if cue_at(text, candidate.start()):
            yield candidate.start()


def _cue_positions_by_sentence(text: str, starts: list[int]) -> Iterator[tuple[int, list[int]]]:
    """(sentence index, cue start positions in it), sentence by sentence in text order."""
    index, positions = -1, list[int]()
    for position in cue_positions(text):
        at = bisect_right(starts, position) - 1
        if at != index:
            if positions:
                yield index, positions
            index, positions = at, []
        positions.append(position)
    if positions:
        yield index, positions


def find_action(sentence_list: list[str], vocabulary: IntakeVocabulary) -> tuple[str | None, str | None]:
    """(action, the sentence it came from)."""
    everything = fold("\n".join(sentence_list))
    starts: list[int] = []
    offset = 0
    for sentence in sentence_list:
        starts.append(offset)
        offset += len(sentence) + 1
    # Every position where some cue's prefix starts, in one scan; a cue's first match in a
    # sentence can only start at one of them, so each cue is tried anchored there, not searched.
    # The scan is lazy: it stops at the first sentence that yields an action.
    for index, at in _cue_positions_by_sentence(everything, starts):
        sentence = sentence_list[index]
        low = everything[starts[index] : starts[index] + len(sentence)]
        positions = [p - starts[index] for p in at]
        best: tuple[int, str] | None = None
        for cue in _ACTION_CUES:
            match = next(filter(None, (cue.match(low, p) for p in positions)), None)
            if match and (best is None or match.start() < best[0]):
                raw = low[match.start("a") : match.end("a")]
                stop = _SOFT_STOP.search(raw)
                end = match.start("a") + (stop.start() if stop else len(raw))
                clause = _tidy(sentence[match.start("a") : min(end, match.start("a") + MAX_CLAUSE_CHARS)])
                if len(clause) >= 3 and not clause.lower().startswith(("it ", "this ", "that ")):
                    best = (match.start(), clause)
        if best:
            return best[1], sentence
    for sentence in sentence_list if _FAILURE_VERB.search(everything) else ():
        match = _FAILURE_SUBJECT.search(fold(sentence))
        if match and _names_a_thing(match.group("a"), vocabulary):
            return _tidy(sentence[match.start("a") : match.end("a")]), sentence
    return None, None


# What a customer uses in the product: when no sentence says what they tried, a sentence that
# names such a thing together with a symptom still says what they were doing.
# What a customer uses in a product, in general terms; the domain's components, integrations and
# identifier kinds are added per vocabulary (`_features`).
_GENERIC_FEATURES = (
    r"reports?|reporting|alerts?|alerting|audit logs?|api|sync\w*|integrations?|connectors?|sso|saml|"
    r"log\s?in|login|sign(?:ing)?\s?in|usage page|quer(?:y|ies)|charts?|scheduler|scheduled|events?|"
    r"embed\w*|pdf|csv|xlsx|invites?|invitations?|seats?|invoices?|billing|emails?|numbers|figures|"
    r"revenue|metrics|webhooks?|widgets?|palette|colou?rs|fonts?|rapports?|requêtes?|données|"
    r"synchronisation|connexion|alertas?|informes?|consultas?|datos|sincronizaci\w+|abfragen?|alarme?|"
    r"berichte?|daten|anmeld\w*|\w*übersicht|\w*synchronisierung|\w*seite|logging|log(?:ging)? into|"
    r"single sign-on|iniciar sesión|facturación|consumo|facturation|consommation|nutzung\w*|users|usage|"
    r"sessions?|sesi[oó]n|(?:signed|logged|kicked|thrown) out|einbett\w*|intégr\w*|incrust\w*|explorer"
)


@lru_cache(maxsize=8)
def _features(vocabulary: IntakeVocabulary) -> re.Pattern[str]:
    words = [*vocabulary.component_words, *vocabulary.integration_names]
    extra = "".join(
        "|" + re.escape(word) + r"\w*" for word in sorted(set(words), key=len, reverse=True) if word
    )
    ids = "".join(
        "|" + kind.pattern.pattern.replace(r"(?<![A-Za-z0-9_])", "").replace(r"(?![A-Za-z0-9_])", "")
        for kind in vocabulary.identifiers
        if kind.name in vocabulary.resource_kinds
    )
    return re.compile(r"\b(?:" + _GENERIC_FEATURES + extra + ids + r")\b", re.IGNORECASE)


# what may stand before the product's own noun without making it one of its things ("our emails",
# "all the mails"); any other word does ("confirmation emails", "the welcome mail")
_DETERMINER = frozenset(
    [
        "the",
        "our",
        "my",
        "your",
        "all",
        "any",
        "some",
        "no",
        "these",
        "those",
        "its",
        "their",
        "de",
        "die",
        "der",
        "das",
        "unsere",
        "unser",
        "meine",
        "alle",
        "keine",
        "les",
        "nos",
        "mes",
        "tous",
        "toutes",
        "aucun",
        "los",
        "las",
        "nuestros",
        "nuestras",
        "mis",
        "todos",
        "todas",
        "ningún",
        "os",
        "as",
        "nossos",
        "nossas",
        "meus",
        "todos",
        "nenhum",
        "i",
        "gli",
        "le",
        "nostri",
        "nostre",
        "miei",
        "tutti",
        "tutte",
        "nessun",
        "onze",
        "mijn",
        "alle",
        "geen",
    ]
)


def _the_product(low: str, match: re.Match[str], vocabulary: IntakeVocabulary) -> bool:
    """Whether a matched thing is the product itself: a word of its name ("Acme Mail": "mails",
    "e-mail") standing alone, not with a word of its own before it ("confirmation emails")."""
    word = match.group(0).lower().replace("-", "")
    if not any(name in word for name in vocabulary.product_nouns):
        return False
    before = re.findall(r"[^\W\d_]+", low[max(0, match.start() - 25) : match.start()])
    return not before or before[-1] in _DETERMINER or len(before[-1]) <= 2


# an HTTP 4xx/5xx status the product answered, standing for a symptom in the customer's sentence
# (not an SMTP reply "451 4.7.650", not a line that is only the pasted answer)
_SHOWN_STATUS = re.compile(r"(?<=\S)\s+[45]\d\d(?![\d.,:/-]|\s\d\.)")


def find_subject_of_trouble(
    sentence_list: list[str], vocabulary: IntakeVocabulary
) -> tuple[str | None, str | None]:
    """(clause, sentence): the first sentence that names a product thing and a symptom."""
    feature = _features(vocabulary)
    for sentence in sentence_list:
        low = fold(sentence)
        if low.startswith(("page:", "category:", "account:", "reported from")):
            continue
        if not (
            (SYMPTOM.search(low) or _SHOWN_STATUS.search(sentence))
            and any(not _the_product(low, m, vocabulary) for m in feature.finditer(low))
        ):
            continue  # "emails not working" to a mail product names no thing of it
        # the clause that names the thing ("Hello?? the audit log doesn't work" -> its second clause)
        clauses = [c for c in re.split(r"[.!?;]\s|\n", sentence) if feature.search(fold(c))]
        told = next((c for c in clauses if SYMPTOM.search(fold(c))), clauses[0] if clauses else "")
        clause = _tidy(told, told=True)
        if len(clause) >= 8:
            return clause, sentence
    return None, None


def find_named_thing(sentence_list: list[str], vocabulary: IntakeVocabulary) -> tuple[str | None, str | None]:
    """(clause, sentence): the first clause naming one of the domain's things, operations or
    symptoms (its problem types' cue words) — what the customer was doing, said without a cue
    ("Envio de eventos em lote devolve 413", "devo togliere i permessi di admin a un collega")."""
    for sentence in sentence_list:
        for clause in re.split(r"[.!?;:,]\s|\n", sentence):
            low = fold(clause)
            words = _type_words(low)
            cues = [cue for cue in map(vocabulary.cue_of, words) if cue]
            if cues and not _only_the_whole_ails(words, cues, vocabulary) and not WORKS.search(low):
                tidy = _tidy(clause, told=True)
                if len(tidy) >= 8:
                    return tidy, sentence
    return None, None


# everything, or the product itself, as what ails ("todo va lentísimo", "alles zäh wie Kaugummi",
# "Acme has become painfully slow"): a symptom told of no thing, so no action is said
_WHOLE = frozenset({"everything", "anything", "all", "whole", "alles", "todo", "toda", "tout", "toute", "tutto", "tutta",
                    "tudo"})  # fmt: skip


def _only_the_whole_ails(
    words: list[str], cues: list[tuple[str, float]], vocabulary: IntakeVocabulary
) -> bool:
    """Whether a clause's only cues are symptoms (types counted more than the things they happen
    to) and it says them of everything or of the product itself."""
    whole = any(word in _WHOLE for word in words) or (bool(words) and words[0] in vocabulary.product_words)
    return whole and all(strength > 1 for _, strength in cues)


def find_expected(sentence_list: list[str]) -> tuple[str | None, str | None]:
    if not _EXPECTED_CUES.search(fold("\n".join(sentence_list))):
        return None, None
    for sentence in sentence_list:
        low = fold(sentence)
        if _EXPECTED_CUES.search(low):
            match = _EXPECTED_CLAUSE.search(low)
            if match:
                group = "e" if match.group("e") else "e2"
                return _tidy(sentence[match.start(group) : match.end(group)]), sentence
            return _tidy(sentence), sentence
    return None, None


def find_actual(sentence_list: list[str], skip: set[str], action_sentence: str | None) -> str | None:
    if action_sentence:
        match = _BUT.search(fold(action_sentence))
        if match and len(action_sentence) - match.end() > 5:
            return _tidy(action_sentence[match.end() :])
    for sentence in sentence_list:
        if sentence in skip and sentence != action_sentence:
            continue
        if _FAILURE_CUES.search(fold(sentence)) or _CODE_CUE.search(sentence):
            return " ".join(sentence.split())[: MAX_CLAUSE_CHARS * 2]
    return None


# A question that asks the vendor for help ("An wen kann ich mich da wenden?", "Can you check?",
# "¿Pueden revisarlo?") says what the customer wants from support, not what they were doing.
_ASKING = re.compile(
    r"\b(?:(?:can|could|would|will) (?:you|u|someone|somebody|i|we)|who|whom|an wen|wer|wen|wie kann|"
    r"können sie|könnt ihr|kann ich|pouvez-vous|pourriez-vous|puis-je|qui|pueden|podrían|puedo|quién|podem|"
    r"poderiam|posso|quem|potete|potreste|chi|kunnen jullie|kunt u|kan ik|wie)\b"
)
_ASK = re.compile(
    _ASKING.pattern + r"|\b(?:please|pls|bitte|s['’]il vous pla[iî]t|merci de|por favor|per favore|graag|"
    r"alstublieft|gelieve|(?:we|i) (?:need|would like|'d like)|how (?:can|do) (?:we|i)|wir brauchen|"
    r"(?:wir|ich) (?:benötigen|möchten|hätten gern)|wie (?:können|kann) (?:wir|ich)|nous (?:avons|aurions) besoin|"
    r"comment (?:pouvons|puis|peut)|necesitamos|necesito|c[oó]mo (?:podemos|puedo|posso)|precisamos|preciso|"
    r"conseguem|ci servirebbe\w*|abbiamo bisogno|come (?:possiamo|posso)|hoe kunnen|we willen graag|"
    r"kunnen jullie|conseguem)\b"
)
_ASKED_DOING = re.compile(
    r"(?i)\b(?:(?:can|could|may) (?:we|i)|is it possible (?:for us )?to|is there a way to|können (?:wir|ich)|"
    r"kunnen (?:we|wij|ik)|pouvons-nous|puis-je|peut-on|podemos|puedo|posso|possiamo|"
    r"(?:se )?(?:è|é) possibile|é possível|es posible)\s+"
    # (not a plea for a call or for help: "can we have a quick call tomorrow?")
    r"(?!(?:get|have|schedule|book|set up|arrange)\s+(?:a\s+|an\s+|some\s+|quick\s+)*(?:call|help|meeting|someone)|"
    r"talk|speak|call)(?P<a>[^?.!\n]{8,160})\?"
)


def _asked_doing(said: list[str]) -> tuple[str | None, str | None]:
    """ "can we move our org to it?", "kunnen we de bewaartermijn korter zetten?": what the requester
    asks whether they may do is what they mean to do (the clause, and its sentence)."""
    for sentence in said:
        asked = _ASKED_DOING.search(sentence)
        if asked and len(asked.group("a").split()) >= 3:
            return _tidy(asked.group("a")), sentence
    return None, None


_NEGATED = re.compile(r"\b(?:not|\w+n['’]t|cannot|nicht|kein\w*|pas|plus|no|não|non|niet|geen)\b")


def _the_requesters(sentence_list: list[str], vocabulary: IntakeVocabulary) -> list[str]:
    """The sentences that may say what the requester was doing: not a mail header line, not a line
    a machine wrote, not one about another organisation, and without a closing question that
    asks support for help."""
    kept = []
    others = about_another_party("\n".join(sentence_list), vocabulary)  # most tickets name no other party
    for sentence in sentence_list:
        if (others and about_another_party(sentence, vocabulary)) or MAIL_HEADER.match(fold(sentence)):
            continue
        if written_by_a_machine(sentence):
            continue
        if sentence.rstrip().endswith("?"):
            cut = max(sentence.rfind(mark) for mark in (". ", ", ", "; ", ": "))
            head, question = (sentence[:cut], sentence[cut + 2 :]) if cut >= 0 else ("", sentence)
            low = fold(question)
            if _ASKING.search(low) and not _NEGATED.search(low):
                sentence = head
        if sentence.strip():
            kept.append(sentence)
    return kept


def extract_narrative(subject: str, prose: str, vocabulary: IntakeVocabulary) -> Narrative:
    """Template sections first; prose cues fill whatever the template did not give."""
    sections = template_sections(prose)
    narrative = Narrative(
        steps=sections.get("steps"),
        actual=sections.get("actual"),
        expected=sections.get("expected"),
        user_agent=sections.get("user_agent"),
        templated=frozenset(sections),
    )
    body_sentences = _the_requesters(sentences(prose), vocabulary)
    subject_sentences = _the_requesters(sentences(subject), vocabulary)
    action, action_sentence = find_action(body_sentences, vocabulary)
    if action is None:
        action, action_sentence = find_action(subject_sentences, vocabulary)
    if action is None and narrative.steps:
        action = _tidy(sentences(narrative.steps)[0]) if sentences(narrative.steps) else None
    if action is None:
        action, action_sentence = find_subject_of_trouble(body_sentences, vocabulary)
    if action is None:
        action, action_sentence = find_subject_of_trouble(subject_sentences, vocabulary)
    if action is None:
        action, action_sentence = find_named_thing([*body_sentences, *subject_sentences], vocabulary)
    if action is None:
        # a request with no trouble told (another organisation's data, closing an account): what
        # the requester asks for, when it names a product thing, is the action
        said = sentences(prose)
        asks = [s for s in said if _ASK.search(fold(s))]
        action, action_sentence = find_named_thing(asks, vocabulary)
        if action is None:
            action, action_sentence = _asked_doing(said)
    narrative.action = action
    if narrative.expected is None:
        expected, expected_sentence = find_expected(body_sentences)
        narrative.expected = expected
    else:
        expected_sentence = None
    if narrative.actual is None:
        skip = {s for s in (expected_sentence,) if s}
        narrative.actual = find_actual(body_sentences, skip, action_sentence) or find_actual(
            subject_sentences, set(), None
        )
    return narrative


# A question whether the product can do something, with no trouble told: a general question,
# whatever thing it names ("Does your product support SCIM?", "Est-il possible d'exporter en XML ?").
_CAPABILITY = re.compile(
    r"\b(?:do(?:es)? (?:you|\w+) (?:support|offer|have|provide)|is (?:it|there) (?:possible|a way)|"
    r"can (?:i|we|you|\w+) (?:also )?(?:use|connect|integrate)|gibt es (?:eine )?möglichkeit|ist es möglich|"
    r"unterstützt|est-il possible|existe-t-il|supporte[zs]?-|es posible|existe (?:alguna|una) forma|"
    r"(?:é|e) possível|existe (?:alguma|uma) forma|è possibile|supporta(?:te)?|is het mogelijk|"
    r"ondersteun\w*)\b"
)


def asks_what_is_possible(text: str) -> bool:
    """Whether the ticket only asks what the product can do: a capability question, no symptom."""
    low = fold(text)
    return "?" in low and bool(_CAPABILITY.search(low)) and not SYMPTOM.search(low)


def _type_words(text: str) -> list[str]:
    """The words of a text, the parts of its hyphenated ones ("smtp-relay", "tracking-api") and
    the word after an elided article or preposition ("l'accesso", "d'exportation", "dell'invio")."""
    words = _TYPE_WORD.findall(text)
    return words + [
        part for word in words if "-" in word or "'" in word for part in _PARTS.split(word) if part
    ]


_REPEATS = 2  # how many times one cue counts in one text

# The requester saying who they are ("I'm the owner of …", "I'm an admin.", "soy el responsable
# técnico") shows their standing, not the trouble: the role named there is no cue — up to three
# words after the article and before a connective, or one word without an article before a stop.
_NOT_A_ROLE = r"(?!(?:who|that|which|and|but|und|aber|qui|que|et|mais|y|pero|e|ma|che|en|maar|dat|die|wie)\b)"
_COPULAS = ("i'm", "i am", "ich bin", "je suis", "soy ", "sou ", "sono ", "ik ben")
_SELF_ROLE = re.compile(
    r"\b(?:i'?m|i am|ich bin|je suis|soy|sou|sono|ik ben)\s+(?:"
    r"(?:the|an?|der|die|ein|eine|le|la|l'|un|une|el|o|a|il|lo|uno|una|um|uma|de|het|een)\s+"
    rf"(?:{_NOT_A_ROLE}[\w-]+\s+){{0,2}}{_NOT_A_ROLE}[\w-]+"
    # a role without its article ("só eu sou admin", "Ich bin Admin."), not a state told with a
    # participle ("ich bin ausgesperrt", "je suis bloqué", "sono bloccato")
    r"|(?![\w-]*(?:t|d|é|ée|és|ado|ada|ido|ida|ato|ata|ito|ita)\b)[\w-]+"
    r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:of|for|on|here|hier|ici|aquí|aqui|qui|van|von|de|da|do|di|del|und|and|et|y|e|en)\b))"
)


def _cue_text(text: str) -> tuple[str, list[str]]:
    """The folded text whose words are read for cues, and those words: without the sentences that
    only guess at the cause, and without the requester's own role."""
    part = fold(text)
    words = _type_words(part)
    if not GUESS_WORDS.isdisjoint(words) and GUESS.search(text):
        text = "\n".join(s for s in sentences(text) if not guesses_the_cause(s))
        part = fold(text)
        words = _type_words(part)
    if any(copula in part for copula in _COPULAS):
        part = _SELF_ROLE.sub(" ", part)
        words = _type_words(part)
    return part, words


def problem_type(text: str, subject: str, vocabulary: IntakeVocabulary) -> str | None:
    """The domain's problem type with the most cues: words and phrases count once (by the type's
    strength; a word or phrase said again counts at most twice: a pasted log repeating a host name
    is no more evidence), the type's error codes twenty times, and the subject (with the action)
    double; ties go to the type listed first. A ticket that names none gets the domain's fallback
    type; a type that gives way beside an integration does so where the ticket names one."""
    scores: dict[str, float] = {}
    coded: set[str] = set()  # the types one of whose own error codes the ticket quotes
    types = {cues.name: cues for cues in vocabulary.problem_types}  # in the domain's order
    cue_of, phrases = vocabulary.cue_of, vocabulary.phrases_by_first_word
    for weight, (part, words) in ((1.0, _cue_text(text)), (2.0, _cue_text(subject))):
        for word, count in Counter(words).items():
            cue = cue_of(word)
            if cue is not None:
                family, strength = cue
                scores[family] = scores.get(family, 0.0) + strength * weight * min(count, _REPEATS)
                if strength == CODE_STRENGTH:
                    coded.add(family)
            for phrase, family in phrases.get(word, ()):  # a phrase needs its first word
                if phrase in part:
                    scores[family] = scores.get(family, 0.0) + types[family].strength * weight * min(
                        part.count(phrase), _REPEATS
                    )
    if not scores:
        return vocabulary.problem_type_fallback
    chosen = max(types, key=lambda family: scores.get(family, 0.0))  # (max keeps the first of a tie)
    yielding = types[chosen].beside_an_integration
    # (not where the product's own code for it was quoted: the product refusing with its own
    # permission code while the customer connects a CRM is a role in the product)
    integrations = vocabulary.integrations
    if (
        yielding
        and chosen not in coded
        and integrations
        and integrations.search(f"{text}\n{subject}".lower())
    ):
        return yielding  # (the integrations are searched only where a type would give way)
    return chosen
