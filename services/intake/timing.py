"""When the problem happened, as an absolute UTC window.

Relative expressions ("yesterday", "since Monday", "2 hours ago", "seit gestern", "depuis hier",
"desde ayer") resolve against the message's received time; clock times honour a named zone or
offset ("14:05 CET", "09:30 +02:00"), else the ticket's `timezone` metadata, else UTC. A clock
time without a date that would lie in the future belongs to the previous day (a ticket sent at
00:20 saying "at 23:50" means last night). Several references give the window that covers them
all; nothing is ever placed after the received time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.intake.cleaning import fold

_ZONES = {
    "utc": 0.0, "gmt": 0.0, "z": 0.0, "wet": 0.0, "cet": 1.0, "mez": 1.0, "bst": 1.0, "west": 1.0,
    "cest": 2.0, "mesz": 2.0, "eet": 2.0, "eest": 3.0, "msk": 3.0, "ist": 5.5, "sgt": 8.0,
    "jst": 9.0, "aest": 10.0, "aedt": 11.0, "est": -5.0, "edt": -4.0, "cst": -6.0, "cdt": -5.0,
    "mst": -7.0, "mdt": -6.0, "pst": -8.0, "pdt": -7.0, "et": -5.0, "pt": -8.0,
}  # fmt: skip
_ZONE_RE = (
    r"(?:\s*(?P<zone>utc|gmt|cest|cet|mesz|mez|bst|west|wet|eest|eet|msk|ist|sgt|jst|aest|aedt|"
    r"est|edt|cst|cdt|mst|mdt|pst|pdt|z)(?![a-z])(?:\s*(?P<zoff>[+-]\s*\d{1,2}(?::?\d{2})?))?"
    r"|\s*(?P<off>[+-]\d{2}:?\d{2})(?!\d)"
    r"|\s*\((?P<iana>[a-z]+/[a-z_]+)\)|\s+(?P<iana2>[a-z]+/[a-z_]+))?"
)

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10,
    "a few": 3, "few": 3, "a couple of": 2, "couple of": 2, "several": 3, "ein": 1, "eine": 1,
    "einer": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "paar": 2, "ein paar": 2,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "quelques": 3, "una": 1,
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "unos": 3, "unas": 3,
}  # fmt: skip
_NUM = r"(?P<n>\d{1,3}|a couple of|couple of|a few|ein paar|few|several|quelques|unos|unas|an?|one|two|three|four|five|six|ten|ein|eine|einer|einem|zwei|drei|vier|fünf|paar|une?|deux|trois|quatre|cinq|una|uno|dos|tres|cuatro|cinco)"
_UNITS = {
    "min": 60, "minute": 60, "minutes": 60, "mins": 60, "minuten": 60, "minutos": 60, "minuto": 60,
    "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600, "h": 3600, "stunde": 3600, "stunden": 3600,
    "heure": 3600, "heures": 3600, "hora": 3600, "horas": 3600, "std": 3600, "stdn": 3600, "hs": 3600,
    "day": 86400, "days": 86400, "tag": 86400, "tage": 86400, "tagen": 86400, "jour": 86400,
    "jours": 86400, "día": 86400, "días": 86400, "dia": 86400, "dias": 86400,
    "week": 604800, "weeks": 604800, "woche": 604800, "wochen": 604800, "semaine": 604800,
    "semaines": 604800, "semana": 604800, "semanas": 604800,
}  # fmt: skip
_UNIT = r"(?P<unit>minutes?|mins?|minuten|minutos?|hours?|hrs?|h|stdn|std|hs|stunden?|heures?|horas?|days?|tagen?|tage|jours?|d[ií]as?|weeks?|wochen|woche|semaines?|semanas?)"

# "about", "ca.", "environ", "unas" ... between the preposition and the number
_APPROX = (
    r"(?:(?:about|around|roughly|approximately|approx\.?|almost|nearly|over|more than|just over|"
    r"ca\.?|circa|etwa|ungefähr|rund|knapp|über|mehr als|environ|presque|près de|plus de|"
    r"aproximadamente|casi|más de|alrededor de|unos|unas)\s+)?"
)
# Every "N units" expression in one pass: the words before the amount say whether it is a
# point in the past ("3 hours ago", "vor 2 Tagen", "il y a", "hace") or a stretch up to now
# ("for the last 2 days", "seit 3 Stunden", "depuis", "desde hace", "ces 3 dernières heures").
_AMOUNT = re.compile(
    r"\b(?:(?P<dur>(?:for|in|over|during)\s+(?:the\s+)?(?:last|past)|in den letzten|desde hace"
    r"|(?:en|durante) (?:las?|los) últim[oa]s|for|since|last|past|seit|depuis)\s+"
    r"|(?P<ago_pre>vor|il y a|hace)\s+|(?P<ces>ces)\s+)?"
    rf"{_APPROX}{_NUM}\s+(?:(?P<derni>derni\w+)\s+)?{_UNIT}\b"
    r"(?P<ago>\s+ago\b)?(?P<que>\s+que\b)?"
)
_SINCE_BEFORE = re.compile(
    r"(?:\b(?:since|ever since|starting|from|seit|seitdem|ab|depuis|desde)|à partir d[e']|a partir de)\s*$",
    0,
)
_PARTS = {
    "morning": (6, 12), "morgen": (6, 12), "früh": (6, 12), "vormittag": (8, 12), "matin": (6, 12),
    "mañana": (6, 12), "afternoon": (12, 18), "nachmittag": (12, 18), "après-midi": (12, 18),
    "tarde": (12, 19), "evening": (18, 24), "abend": (18, 24), "soir": (18, 24), "noche": (19, 24),
    "night": (18, 30), "nacht": (18, 30), "midday": (11, 14), "noon": (11, 14), "mittag": (11, 14),
    "midi": (11, 14), "mediodía": (11, 14),
}  # fmt: skip
_PART = r"(?P<part>morning|afternoon|evening|night|noon|midday|morgen|früh|vormittag|nachmittag|abend|nacht|mittag|matin|après-midi|soir|midi|mañana|tarde|noche|mediodía)"
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonntag": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3,
    "viernes": 4, "sábado": 5, "sabado": 5, "domingo": 6,
}  # fmt: skip
_DAY_WORDS = {
    "today": 0, "heute": 0, "aujourd'hui": 0, "aujourd’hui": 0, "hoy": 0, "tonight": 0,
    "yesterday": -1, "yesterday's": -1, "gestern": -1, "hier": -1, "ayer": -1, "anoche": -1,
    "day before yesterday": -2, "the day before yesterday": -2, "vorgestern": -2, "avant-hier": -2, "anteayer": -2, "antier": -2,
}  # fmt: skip
_DAY = re.compile(
    r"(?:(?:el|le|am|on|last|letzten|dernier)\s+)?"
    r"(?P<day>the day before yesterday|day before yesterday|yesterday's|yesterday|today|tonight|vorgestern|"
    r"gestern|heute|avant-hier|aujourd['’]hui|hier|anteayer|antier|ayer|anoche|hoy|"
    + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    + r")(?![\w-])(?:\s+(?:dernier\s+)?"
    + _PART
    + r")?",
    0,
)
_THIS_PART = re.compile(
    r"(?:this|heute|ce|cet|cette|esta|este|last|gestern|hier|earlier this)\s+" + _PART + r"\b"
    r"|(?:la|le)\s+(?P<part2>nuit)\s+dernière",
    0,
)
_WEEK = re.compile(
    r"(?P<which>last week|this week|letzte woche|letzter woche|diese woche|dieser woche|"
    r"la semaine dernière|cette semaine|la semana pasada|esta semana|earlier this week)\b",
    0,
)
_NOW = re.compile(
    r"\b(?:right now|just now|a moment ago|a few moments ago|gerade eben|gerade|soeben|"
    r"à l'instant|en ce moment|ahora mismo|hace un momento)\b",
    0,
)
_MONTHS = {
    "jan": 1, "january": 1, "januar": 1, "janvier": 1, "enero": 1, "feb": 2, "february": 2,
    "februar": 2, "février": 2, "febrero": 2, "mar": 3, "march": 3, "märz": 3, "mars": 3, "marzo": 3,
    "apr": 4, "april": 4, "avril": 4, "abril": 4, "may": 5, "mai": 5, "mayo": 5, "jun": 6, "june": 6,
    "juni": 6, "juin": 6, "junio": 6, "jul": 7, "july": 7, "juli": 7, "juillet": 7, "julio": 7,
    "aug": 8, "august": 8, "août": 8, "agosto": 8, "sep": 9, "sept": 9, "september": 9,
    "septembre": 9, "septiembre": 9, "oct": 10, "october": 10, "oktober": 10, "octobre": 10,
    "octubre": 10, "nov": 11, "november": 11, "novembre": 11, "noviembre": 11, "dec": 12,
    "december": 12, "dezember": 12, "décembre": 12, "diciembre": 12,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_NUMERIC = re.compile(
    r"(?<![\d.])(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?![\d-])"
    r"|(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>\d{4}|\d{2}(?!\d))?(?![\d.])"
    r"|(?P<sa>\d{1,2})/(?P<sb>\d{1,2})/(?P<sy>\d{4}|\d{2})(?![\d/]))"
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
_CLOCK = re.compile(
    r"(?<![\d:.])(?:(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?|h(?P<mh>[0-5]\d)?(?![a-z]))"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?(?:\s*uhr)?"
    r"|(?P<h2>1[0-2]|0?[1-9])\s*(?P<ampm2>am|pm|a\.m\.|p\.m\.)"
    r"|(?P<h3>[01]?\d|2[0-3])\s*uhr)(?![\d:])" + _ZONE_RE,
    0,
)
_CLOCK_HINT = re.compile(r"\d(?::[0-5]\d|\s?(?:am|pm|a\.m|p\.m|uhr)\b|h(?:[0-5]\d)?\b)")
_ISO_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?:\s*(?P<z>Z|UTC|GMT|[+-]\d{2}:?\d{2}))?",
    re.IGNORECASE,
)

_DIGITS = re.compile(r"\d+")
_DATE_HINT = re.compile(r"\d(?:\d{3}-\d|\.\d\d?\.|/\d\d?/)")
_HOURS_SHORT = re.compile(r"\dh\b")
_WORDS = re.compile(r"[^\W\d_]+")
_MONTH_WORDS = frozenset(_MONTHS)
_UNIT_WORDS = frozenset(_UNITS) - {"h"}
_MONTH_GATE = _MONTH_WORDS - {"may"}
_PART_WORDS = frozenset({*_PARTS, "après", "midi", "nuit"})
_DAY_GATE = frozenset(
    {*_WEEKDAYS, "today", "tonight", "yesterday", "vorgestern", "gestern", "heute", "aujourd", "hier", "anteayer",
     "antier", "ayer", "anoche", "hoy"}
)  # fmt: skip
_WEEK_GATE = frozenset({"week", "woche", "semaine", "semana"})
_NOW_GATE = frozenset({"now", "gerade", "soeben", "instant", "moment", "momento", "mismo", "eben"})

POINT_SLACK = timedelta(minutes=30)


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


def default_zone(metadata: dict[str, str]) -> tzinfo:
    name = metadata.get("timezone") or metadata.get("tz") or metadata.get("time_zone")
    if name:
        if name.lower() in _ZONES:
            return _offset_zone(_ZONES[name.lower()])
        zone = _named_zone(name)
        if zone is not None:
            return zone
    return UTC


def _zone_of(match: re.Match[str], fallback: tzinfo) -> tzinfo:
    groups = match.groupdict()
    if groups.get("zone"):
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


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _count(raw: str) -> int:
    raw = raw.lower()
    return int(raw) if raw.isdigit() else _NUMBERS.get(raw, 1)


def _resolve_year(month: int, day: int, today: date) -> date | None:
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= today:
            return candidate
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_timing(
    text: str, received_at: datetime, zone: tzinfo = UTC, language: str = "en"
) -> Timing | None:
    """The window covering every time reference in `text`, or None when there is none."""
    now = received_at.astimezone(UTC) if received_at.tzinfo else received_at.replace(tzinfo=UTC)
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
            match["dur"] or (match["ces"] and match["derni"]) or (match["ago_pre"] and match["que"])
        )
        is_point = not is_stretch and bool(match["ago"] or match["ago_pre"])
        if not (is_stretch or is_point) or (match["derni"] and not match["ces"]):
            continue
        end_at = match.end("unit") if is_stretch else match.end("ago") if match["ago"] else match.end("unit")
        span = (match.start(), end_at)
        if not free(*span):
            continue
        seconds = _count(match["n"]) * _UNITS.get(match["unit"].lower(), 3600)
        delta = timedelta(seconds=seconds)
        if is_point:
            slack = max(timedelta(seconds=seconds / 2), timedelta(minutes=15))
            add(_Ref(*span, now - delta - slack, now - delta + slack, text[span[0] : span[1]]))
        else:
            add(_Ref(*span, now - delta, now, text[span[0] : span[1]], since=True))

    for match in _THIS_PART.finditer(low) if words & _PART_WORDS else ():
        if not free(*match.span()):
            continue
        phrase = match.group(0).lower()
        part = (match["part"] or match["part2"] or "").lower()
        lo, hi = _PARTS.get(part, (0, 24))
        offset = -1 if re.search(r"\b(?:last|gestern|hier|dernière)\b", phrase) else 0
        if part == "nuit":
            offset, lo, hi = -1, 18, 30
        day = today + timedelta(days=offset)
        start = _local_midnight(day, zone) + timedelta(hours=lo)
        if start > now and hi > 24:
            start -= timedelta(days=1)  # "heute Nacht" written in the morning is the night just gone
        add(_Ref(*match.span(), start, start + timedelta(hours=hi - lo), text[match.start() : match.end()].strip(),
                 since=_since(low, match.start())))  # fmt: skip

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
        if word in _WEEKDAYS:
            back = (today.weekday() - _WEEKDAYS[word]) % 7
            if back == 0 and re.match(r"(?i)(?:last|letzten|dernier)\b", match.group(0).lstrip()):
                back = 7
            day = today - timedelta(days=back)
        else:
            day = today + timedelta(days=_DAY_WORDS.get(word, 0))
        start = _local_midnight(day, zone)
        end = start + timedelta(days=1)
        if match["part"]:
            lo, hi = _PARTS.get(match["part"].lower(), (0, 24))
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
            )
        )

    for match in _WEEK.finditer(low) if words & _WEEK_GATE else ():
        if not free(*match.span()):
            continue
        which = match["which"].lower()
        monday = today - timedelta(days=today.weekday())
        if any(word in which for word in ("last", "letzte", "dernière", "pasada")) and "earlier" not in which:
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
    if words & _MONTH_GATE or "May " in text:
        date_matches.extend(_DATE_NAMED.finditer(low))
    for match in date_matches:
        if not free(*match.span()):
            continue
        day = _date_of(match, today, language, text)
        if day is None or day > today or (today - day).days > 400:
            continue
        start = _local_midnight(day, zone)
        add(_Ref(*match.span(), start, start + timedelta(days=1), text[match.start() : match.end()].strip(), day=day,
                 since=_since(low, match.start())))  # fmt: skip

    for match in _NOW.finditer(low) if words & _NOW_GATE else ():
        if free(*match.span()):
            add(_Ref(*match.span(), now - timedelta(hours=1), now, text[match.start() : match.end()]))

    _attach_clock_times(text, refs, free, add, now, zone)

    windows: list[tuple[datetime, datetime]] = []
    for ref in refs:
        start, end = ref.start, (now if ref.since else ref.end)
        if start > now:
            continue
        windows.append((start, min(end, now)))
    if not windows:
        return None
    refs.sort(key=lambda r: r.position)
    phrases = []
    for ref in refs:
        phrase = ref.text
        since = _SINCE_BEFORE.search(low, max(0, ref.position - 16), ref.position) if ref.since else None
        if since:
            phrase = f"{text[since.start() : ref.position].strip()} {phrase}"
        phrases.append(" ".join(phrase.split()))
    text_out = "; ".join(dict.fromkeys(phrases))[:300]
    return Timing(min(w[0] for w in windows), max(w[1] for w in windows), text_out)


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


def _since(text: str, position: int) -> bool:
    return bool(_SINCE_BEFORE.search(text[max(0, position - 16) : position]))


def _date_of(match: re.Match[str], today: date, language: str, original: str) -> date | None:
    g = match.groupdict()
    if g.get("iy"):
        return _safe_date(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g.get("dd"):
        if not g["dy"]:
            # "3.5." without a year is a date only after a preposition; otherwise it is a version
            if not re.search(
                r"(?i)\b(?:am|vom|seit|ab|bis|le|el|on|since)\s*$", match.string[: match.start("dd")]
            ):
                return None
            return _resolve_year(int(g["dm"]), int(g["dd"]), today)
        year = int(g["dy"]) + (2000 if len(g["dy"]) == 2 else 0)
        return _safe_date(year, int(g["dm"]), int(g["dd"]))
    if g.get("sa"):
        a, b = int(g["sa"]), int(g["sb"])
        month, day = (a, b) if language == "en" and a <= 12 else (b, a)
        if month > 12:
            month, day = day, month
        year = int(g["sy"]) + (2000 if len(g["sy"]) == 2 else 0)
        return _safe_date(year, month, day)
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
    """Clock times join the nearest day reference within a few words, else the latest such time."""
    low = fold(text)
    for match in _CLOCK.finditer(low) if _CLOCK_HINT.search(low) else ():
        if not free(*match.span()):
            continue
        hour_raw = match["h"] or match["h2"] or match["h3"]
        minute = int(match["m"] or match["mh"] or 0)
        ampm = (match["ampm"] or match["ampm2"] or "").lower().replace(".", "")
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
        tz = _zone_of(match, zone)
        anchor = None
        for ref in refs:
            if ref.day is not None and (
                0 <= match.start() - ref.end_position <= 25 or 0 <= ref.position - match.end() <= 25
            ):
                anchor = ref
                break
        if anchor is not None and anchor.day is not None:
            point = datetime.combine(anchor.day, time(hour, minute), tzinfo=tz).astimezone(UTC)
            anchor.start, anchor.end = point - POINT_SLACK, point + POINT_SLACK
            anchor.text = f"{anchor.text} {text[match.start() : match.end()].strip()}"
            anchor.day = None
            continue
        local_today = now.astimezone(tz).date()
        point = datetime.combine(local_today, time(hour, minute), tzinfo=tz).astimezone(UTC)
        if point > now + timedelta(minutes=5):
            point -= timedelta(days=1)
        add(
            _Ref(
                *match.span(),
                point - POINT_SLACK,
                point + POINT_SLACK,
                text[match.start() : match.end()].strip(),
            )
        )
