"""Words of trouble the intake's readers share, in its seven languages."""

from __future__ import annotations

import re

# A symptom: something missing, wrong, slow, refused, stuck or not happening.
SYMPTOM = re.compile(
    r"\b(?:missing|missiing|gone|vanished|disappeared|lost|deleted|broken|fail\w*|error\w*|different|"
    r"wrong|outdated|old|stale|lags?|lagging|behind|delayed|late|slow\w*|long time|spam|strange|weird|"
    r"empty|blank|stuck|not|\w+n['’]t|never|no longer|changed|rejected|denied|timeout|timed out|hangs?|"
    r"flaky|bounced|where did|gone|alte|alten|anciens?|viejos?|nadie|personne|niemand|nobody|"
    r"fehlt|verschwunden|weg|falsch|langsam|nicht|kaputt|fehler\w*|veraltet|"
    r"disparu|manque|perdu|faux|lent\w*|pas|plus|erreur|bloqué\w*|"
    r"desaparecido|desapareci\w*|falta|perdido|lento|no|error|bloquead\w*|ha desaparecido|"
    # sessions that drop, results that come back empty, figures that stay old, work that runs late
    r"(?:signed|logged|kicked|thrown) out|abgemeldet|rausgeworfen|déconnect\w*|cierra\w* la sesión|"
    r"leer\w*|vides?|vac[ií][ao]s?|antigu\w*|desactualizad\w*|périmé\w*|"
    r"retard|verspät\w*|tarde|atrasad\w*|hängt|h[aä]ngen|procesándose|en cours|"
    # refused, in the other languages
    r"rejet\w*|refus\w*|rechaz\w*|rejeit\w*|recusad\w*|rifiutat\w*|abgelehnt|zurückgewiesen|geweigerd|afgewezen|"
    # what stopped happening, or took too long
    r"stopped|stops|aufgehört|arrêté\w*|dejó de|dejaron de|parou|pararam|smesso|smess[oi]|gestopt|"
    r"tard[aoó]\w*|demor\w*|"
    # nothing there: none, zero, lacking
    r"none|zero|nothing|fehlen|nichts|null|manquent|rien|zéro|faltan|nada|cero|faltam|mancan[oa]|manca|"
    r"niente|nulla|ontbre\w+|niets|nul)\b",
    0,
)


# Someone leaving the company ("left the company on October 30th", "ist seit Ende Oktober nicht mehr
# bei uns", "a quitté l'entreprise", "Paolo Ferri ha lasciato l'azienda"): why no one can act, not
# when it broke; and a member the ticket is about (to be removed, their resources handed over).
DEPARTED = re.compile(
    r"\b(?:left (?:the|our) (?:company|firm|business|organi[sz]ation|team)|has left|quit (?:the|our) (?:company|job)|"
    r"(?:verlassen|ausgeschieden|nicht mehr bei uns)|(?:a|ont) quitté|(?:dejó|dejaron) la empresa|se fue|"
    r"(?:ya no trabaja|já não trabalha|não trabalha mais|saiu da empresa|deixou a empresa)|(?:ha|hanno) lasciato|"
    r"non lavora più|(?:is|zijn) vertrokken|uit dienst)\b"
)


# a clause telling what works ("zoom/slack/github are all snappy", "bij mij werkt het wel", "the
# Zendesk sync runs fine", "Stripe has been fine since")
WORKS = re.compile(
    r"\b(?:snappy|(?:works?|working|runs?|running) (?:fine|well|normally)|is fine|are fine|been fine"
    r"|funktionier\w* (?:gut|normal|einwandfrei)|läuft (?:gut|normal|einwandfrei|problemlos)"
    r"|fonctionne(?:nt)? (?:bien|normalement)|funciona(?:n)? (?:bien|normal\w*)|funziona(?:no)? (?:bene|normalmente)"
    r"|werkt (?:prima|goed|normaal|wel|gewoon))\b"
)


# A guess at the cause that is not the report: someone else's ("my colleague thinks it's because of
# the permissions", "unsere IT hat auf ein Rechteproblem getippt", "nuestro gerente piensa que es
# porque…"), the requester's own first one or one they rule out ("at first I thought it was our
# export", "al principio pensamos que faltaban datos", "I don't think it's a login thing"). A
# sentence with such a guess and a cause or a "first" names no type. What others report ("my
# co-founder thinks we are undercounting") and the requester's present "I think" keep their words.
GUESS = re.compile(
    r"\b(?:thinks|believes|suspects|assumes|reckons|is convinced|thought|assumed|figured|suspected|"
    r"(?:do not|don't|doesn't|does not) think|"
    r"denkt|glaubt|vermutet|meint|tippt|getippt|gedacht|dachte|dachten|"
    r"(?<!je )(?:pense|croit|suppose|soupçonne)|pensent|croient|pensais|pensait|pensions|cru|"
    r"piensa|cree|supone|sospecha|pensé|pensamos|pensábamos|creí|creímos|"
    r"acha|acredita|suspeita|achei|achamos|pensei|"
    r"ritiene|crede|sospetta|pensavo|pensavamo|credevo|vermoedt|gelooft|dacht)\b",
    re.IGNORECASE,
)
CAUSE = re.compile(
    r"\b(?:because|due to|caused by|it'?s an? |it is an? |issue|thing|parce qu|c'est (?:un|une|le|la|à cause)|"
    r"weil|wegen|liegt an|an (?:den|die|das|der)|porque|por culpa|por causa|perché|a causa|colpa|omdat|"
    r"ligt aan|at first|first|initially|erst|zuerst|zunächst|au début|d'abord|al principio|primero|"
    r"inicialmente|primeiro|all'inizio|prima|eerst|aanvankelijk)|probl[eè]m|problema|probleem",
    re.IGNORECASE,
)


# the words one of which a guess holds: a text without any is not searched (the pattern is slow)
GUESS_WORDS = frozenset(
    w for w in re.findall(r"[^\W\d_]+", GUESS.pattern.replace("(?<!je )", "")) if len(w) > 2
) - {"not", "does", "don", "doesn"}


def guesses_the_cause(sentence: str) -> bool:
    """Whether a sentence only guesses at the cause: a guess with a cause or a "first" in it."""
    return bool(GUESS.search(sentence) and CAUSE.search(sentence))
