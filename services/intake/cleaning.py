"""Separating what the customer wrote about the problem from the noise around it.

Email threads carry quoted earlier replies, reply headers, signatures, disclaimers and
greetings; none of it describes the problem, and quoted text would make an old message's
identifiers look current. Forwarded content is different: it usually *is* the problem (a
colleague's complaint passed on), so only the forwarded header block is dropped.

Pasted logs and stack traces are split out verbatim as evidence candidates; the prose that
remains is what the narrative extractors read. Secrets are redacted before anything else so
that no extracted field can carry one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from mailparser_reply.constants import GENERIC_MAIL_SEPARATOR, MAIL_LANGUAGES
from selectolax.lexbor import LexborHTMLParser

from supportflow.masking import domain_rules, mask_secrets_counted

MAX_LOG_EXCERPTS = 5
MAX_LOG_EXCERPT_CHARS = 2000
MAX_INPUT_CHARS = 60_000

_FLAGS = re.IGNORECASE | re.MULTILINE

# --- secrets ---------------------------------------------------------------------------------


def redact_secrets(
    text: str,
    secrets: Sequence[tuple[re.Pattern[str], int]] = (),
    visible: Sequence[re.Pattern[str]] = (),
) -> str:
    """Cut product secrets (`secrets`: pattern and visible characters) back to their visible
    prefix, and mask every other credential (supportflow.masking). A token that is only a key's
    visible prefix (`visible`: the domain's key-prefix patterns, "Bearer <prefix>...") stays."""
    return mask_secrets_counted(text, domain_rules(secrets), visible)[0]


# --- reply / forward structure -----------------------------------------------------------

# mail-parser-reply's header patterns per language: a one-line "On … wrote:" / "Am … schrieb …:"
# opens quoted history; a block of header lines (From:/Sent:/To:/Subject:, Von:/Gesendet:,
# De :/Envoyé :, …) or an "-----Original Message-----" line opens a forwarded message. The
# library has no Portuguese; its English and Spanish headers cover Portuguese clients but for
# the "Em … escreveu:" line, added here in the library's form.
_MAIL_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
_QUOTE_HEADER = re.compile(
    "|".join(
        [
            *(MAIL_LANGUAGES[language]["wrote_header"] for language in _MAIL_LANGUAGES),
            r"^(?:> ?)*Em\s.+?escreveu:$",
        ]
    ),
    re.MULTILINE | re.IGNORECASE,
)
_HEADER_NAMES = re.compile(r"\[\* \]\*\(\?:([^)]*)\)")
# Clients mix languages in one block (Apple Mail's "De:" over "Date:", a Portuguese "De:" over
# "Data:"): the library's header names of every language, Portuguese added, in its own form.
_ALL_NAMES = sorted(
    {
        name.strip()
        for language in _MAIL_LANGUAGES
        for group in _HEADER_NAMES.findall(MAIL_LANGUAGES[language]["from_header"])
        for name in group.split("|")
        if name.strip()
    }
    | {"Enviada", "Enviado el", "Assunto", "Data", "Para"}
)
_FORWARD_HEADER = re.compile(
    "|".join(
        [
            *(MAIL_LANGUAGES[language]["from_header"] for language in _MAIL_LANGUAGES),
            rf"((?:(?:^|\n)[* ]*(?:{'|'.join(_ALL_NAMES)}) ?:[ *]*(?:\s{{,2}}).*){{2,}}(?:\n.*){{,1}})",
            GENERIC_MAIL_SEPARATOR,
        ]
    ),
    re.MULTILINE | re.IGNORECASE,
)
# Either pattern can match only where a header word starts a line or a "wrote" verb is written:
# the (slow) patterns above run only then. (Searched in the folded text, case-sensitively: faster.)
_HEADER_GATE = re.compile(
    r"^[>* ]*(?:from|von|de|da|van|sent|gesendet|envoyé|enviado|enviada|inviato|verzonden|date|datum|data"
    r"|fecha)\s?:|wrote|schrieb|écrit|escribió|escreveu|scritto|schreef|original message",
    re.MULTILINE,
)
# The header line that dates a message, whatever the client's language.
_SENT_LINE = re.compile(
    r"^[>* ]*(?:sent|date|gesendet|datum|envoyé|date|enviad[oa](?: el)?|fecha|data|inviato|verzonden)\s?:\s*(.+)$",
    re.MULTILINE | re.IGNORECASE,
)
_FROM_LINE = re.compile(r"^[>* ]*(?:from|von|de|da|van)\s?:\s*(.+)$", re.MULTILINE | re.IGNORECASE)
# A line that only announces what follows ("---------- Forwarded message ---------",
# "Begin forwarded message:", "Début du message réexpédié :", "-----Mensagem original-----").
_ANNOUNCEMENT = re.compile(r"^\s*(?:-{2,}[^\n]{0,60}-{2,}|[^\n]{0,60}:)\s*$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@dataclass
class _Part:
    """The requester's own text (`sent` None) or one forwarded message and its date line."""

    lines: list[str]
    sent: str | None = None


def _split_mail(text: str) -> tuple[list[_Part], list[str]]:
    """The message's own text and the forwarded messages in it, quoted history cut off; and the
    forwarded messages' senders."""
    if not _HEADER_GATE.search(fold(text)):
        return [_Part(_unquoted(text.split("\n"), forwarded=False))], []
    quote = _QUOTE_HEADER.search(text)
    if quote:
        text = text[: quote.start()]  # everything below is the earlier conversation
    parts: list[_Part] = []
    senders: list[str] = []
    position = 0
    sent: str | None = None
    for header in _FORWARD_HEADER.finditer(text):
        before = text[position : header.start()].split("\n")
        while before and (not before[-1].strip() or _ANNOUNCEMENT.match(before[-1])):
            before.pop()  # the "Forwarded message" line above the headers
        parts.append(_Part(_unquoted(before, forwarded=sent is not None), sent))
        block = header.group(0)
        dated = _SENT_LINE.search(block)
        sent = dated.group(1).strip() if dated else ""
        for sender in _FROM_LINE.finditer(block):
            senders.extend(_EMAIL.findall(sender.group(1)))
        position = header.end()
    parts.append(_Part(_unquoted(text[position:].split("\n"), forwarded=sent is not None), sent))
    return [part for part in parts if any(line.strip() for line in part.lines)], senders


def without_history(text: str) -> str:
    """`text` without the earlier conversation quoted below it (from the "On … wrote:" line on):
    all of the customer's own mail, its signature too."""
    low = text.lower()
    if not any(word in low for word in _QUOTE_WORDS):  # the header gate's scan costs more than these
        return text
    quote = _QUOTE_HEADER.search(text) if _HEADER_GATE.search(fold(text)) else None
    return text[: quote.start()] if quote else text


# the words some quote header of mail-parser-reply's languages holds ("wrote", "schrieb", "a écrit",
# "escribió", "escreveu", "ha scritto", "schreef"), or a Portuguese "Em … escreveu:"
_QUOTE_WORDS = ("wrote", "schrieb", "écrit", "escribi", "escreveu", "scritto", "schreef", "napisał", "skrev")


def _unquoted(lines: list[str], forwarded: bool) -> list[str]:
    """Quoted lines ("> …") are history in the requester's own text; in a forwarded message the
    quoting is the client's and the text is kept. Lines that all start with ">>>" are an
    interpreter's prompt and its output pasted by the requester, not quoting."""
    quoted = [line.lstrip() for line in lines if line.lstrip().startswith(">")]
    if not quoted or all(line.startswith(">>>") for line in quoted):
        return lines
    if forwarded:
        return [line.lstrip().lstrip("> ") if line.lstrip().startswith(">") else line for line in lines]
    return [line for line in lines if not line.lstrip().startswith(">")]


# --- signatures, disclaimers, greetings ---------------------------------------------------

# Sign-off lines: mail-parser-reply's signature openers and "sent from my …" lines per language,
# and the ones it lacks (Portuguese; shorter and warmer forms in the others).
_SIGNOFF_WORDS = (
    r"--|—|(?:warm|many)\s*regards|best wishes|cheers|thanks(?: a lot| again| so much)?|thank you(?: very much)?|"
    r"many thanks|sincerely|yours(?: truly| sincerely)?|mit freundlichen gruessen|freundliche grüße|lg|mfg|"
    r"danke(?: schön| im voraus)?|vielen dank|bien cordialement|bien à vous|merci(?: beaucoup| d'avance)?|"
    r"saludos cordiales|gracias de antemano|"
    r"atenciosamente|cumprimentos|com os melhores cumprimentos|melhores cumprimentos|abraço|obrigad[oa]|"
    r"um abraço|saluti|distinti saluti|grazie(?: mille)?|un saluto|groeten|groetjes|met vriendelijke groeten|"
    r"alvast bedankt|dank je wel|envoyé de mon \w+|von meinem \w+ gesendet|enviado do meu \w+"
)
_SIGNOFF = re.compile(
    r"^\s*(?:"
    + "|".join(
        [
            _SIGNOFF_WORDS,
            *(
                pattern.rstrip(",")
                for language in _MAIL_LANGUAGES
                for pattern in MAIL_LANGUAGES[language]["signatures"]
            ),
            *(
                f"(?:{MAIL_LANGUAGES[language]['sent_from']})" + r"(?:\s+\w+){0,3}"
                for language in _MAIL_LANGUAGES
            ),
        ]
    )
    + r")\s*[,.!]*\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"(?:this (?:e-?mail|message)[^\n]{0,120}(?:confidential|intended (?:solely|only))|"
    r"(?:confidentiality|legal) notice|"
    r"diese (?:e-?mail|nachricht)[^\n]{0,120}vertraulich|"
    r"ce (?:message|courriel)[^\n]{0,160}(?:confidentiel|destinataire)|"
    r"este (?:mensaje|correo)[^\n]{0,160}(?:confidencial|destinatario))",
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|"
    r"hallo|guten (?:tag|morgen|abend)|sehr geehrte[rs]?|liebe[rs]?|moin|servus|"
    r"bonjour|bonsoir|salut|madame|monsieur|"
    r"hola|buenos días|buenas tardes|buenas noches|estimad[oa]s?)"
    r"\b[^\n.!?]{0,60}?(?:[,!:]\s*|\s*$)",
    re.IGNORECASE,
)
_PLEASANTRY = re.compile(
    r"^\s*(?:i hope (?:you(?:'re| are)|this (?:email|message) finds you)[^\n]*|"
    r"hope you(?:'re| are) (?:well|doing well)[^\n]*|thanks in advance[^\n]*|"
    r"ich hoffe[^\n]{0,40}(?:gut|wohl)[^\n]*|j'espère que vous allez bien[^\n]*|"
    r"espero que (?:estés|esté|estén) bien[^\n]*)$",
    re.IGNORECASE,
)

# Every disclaimer and pleasantry form holds one of these words: without them the per-line
# and per-paragraph patterns need not run.
_DISCLAIMER_GATE = ("confidential", "intended", "notice", "vertraulich", "confidentiel", "destinataire",
                    "confidencial", "destinatario")  # fmt: skip
# (the pleasantry words avoid i, k and s, which the case-insensitive match also takes as ı, K and ſ)
_PLEASANTRY_GATE = ("hope", "advance", "hoffe", "père", "pero")

# --- logs ---------------------------------------------------------------------------------

LOG_STAMP = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"  # the date and time that begin a log line
_LOG_LINE = re.compile(
    r"^\s*(?:"
    + LOG_STAMP  # timestamped line
    + r"|\[?\d{2}:\d{2}:\d{2}"
    r"|\[?(?:ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL)\b[\]:]?"
    r"|[Tt]raceback \(most recent call last\)"
    r'|file "[^"]+", line \d+'
    r"|at [\w$.<>]+\(.*\)\s*$"  # Java / JS stack frame
    r"|at [\w$.<>/]+ \(.*:\d+:\d+\)"
    r"|(?:[a-z_][\w]*\.)+[A-Z]\w*(?:Exception|Error)\b"
    r"|[A-Z]\w*(?:Exception|Error): "
    r"|caused by: "
    r"|\{\s*\"[\w-]+\"\s*:"  # JSON line
    r"|(?:GET|POST|PUT|PATCH|DELETE) /\S* (?:HTTP/\d(?:\.\d)?\s+)?\d{3}"
    r"|HTTP/\d(?:\.\d)? \d{3}"
    r"|\$ |> curl "
    r")",
)
_FENCE = re.compile(r"^\s*```")


@dataclass
class CleanMessage:
    """One message after noise removal: prose for the narrative, logs kept verbatim.

    `own` is what the requester wrote (the forwarded messages are the rest of `prose`);
    `forwarded` gives where in `prose` each forwarded message starts and its date line as the
    client wrote it ("" when its headers give none)."""

    prose: str
    logs: list[str] = field(default_factory=list)
    forwarded_from: list[str] = field(default_factory=list)
    own: str = ""
    forwarded: list[tuple[int, str]] = field(default_factory=list)


def _drop_disclaimers(lines: list[str]) -> list[str]:
    """The lines without legal disclaimers: a paragraph from the line its disclaimer starts on (a
    mail whose lines have no blank ones between them, as HTML mail becomes, keeps what precedes it)."""
    out: list[str] = []
    paragraph: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            paragraph.append(line)
            continue
        disclaimer = _DISCLAIMER.search(fold(" ".join(paragraph))) if paragraph else None
        if disclaimer is None:
            out.extend(paragraph)
        else:
            starts = [sum(len(kept) + 1 for kept in paragraph[:index]) for index in range(len(paragraph))]
            out.extend(paragraph[: max(index for index, at in enumerate(starts) if at <= disclaimer.start())])
        paragraph = []
        out.append("")
    return out


def _cut_signature(lines: list[str]) -> list[str]:
    """Cut at a sign-off line when only a short block (name, title, phone) follows it."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    first = content[-12] if len(content) >= 12 else 0
    for index in range(first, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped or len(stripped) > 60:
            continue
        if stripped in ("--", "-- ") or _SIGNOFF.match(line):
            tail = [t for t in lines[index + 1 :] if t.strip()]
            if len(tail) <= 8 and not any(
                ":" in t and len(t.strip()) < 40 and t.strip().endswith(":") for t in tail
            ):
                return lines[:index]
    return lines


def _drop_greetings(lines: list[str], pleasantries: bool = True) -> list[str]:
    """Drop leading greetings, and pleasantry lines anywhere (`pleasantries`: the text may have some)."""
    out: list[str] = []
    seen_content = False
    for line in lines:
        if not seen_content and line.strip():
            match = _GREETING.match(line)
            if match:
                rest = line[match.end() :]
                if rest.strip():
                    out.append(rest)
                    seen_content = True
                continue
            if pleasantries and len(line) < 120 and _PLEASANTRY.match(line):
                continue
            seen_content = True
        elif pleasantries and len(line) < 120 and _PLEASANTRY.match(line):
            continue
        out.append(line)
    return out


def _split_logs(lines: list[str], fences: bool = True) -> tuple[list[str], list[str]]:
    """Group fenced blocks and runs of log-like lines into verbatim excerpts (`fences`: the text
    may have code fences)."""
    prose: list[str] = []
    logs: list[str] = []
    block: list[str] = []
    in_fence = False

    def flush() -> None:
        if block:
            text = "\n".join(block).strip("\n")
            if text.strip() and len(logs) < MAX_LOG_EXCERPTS:
                logs.append(text[:MAX_LOG_EXCERPT_CHARS])
            block.clear()

    for line in lines:
        if fences and _FENCE.match(line):
            if in_fence:
                flush()
            in_fence = not in_fence
            continue
        if in_fence:
            block.append(line)
            continue
        if _LOG_LINE.match(line) or (block and line.startswith(("    ", "\t")) and line.strip()):
            block.append(line)
            continue
        flush()
        prose.append(line)
    flush()
    return prose, logs


def clean_message(
    text: str,
    secrets: Sequence[tuple[re.Pattern[str], int]] = (),
    visible: Sequence[re.Pattern[str]] = (),
) -> CleanMessage:
    """Noise-free prose and verbatim log excerpts of one customer message."""
    text = text[:MAX_INPUT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    if text.lstrip().startswith("<") and _HTML.search(text):  # an HTML body, not a pasted snippet
        text = html_to_text(text)
    text = redact_secrets(text, secrets, visible)
    parts, forwarded_from = _split_mail(text)
    low = fold(text)
    fences = "```" in text
    disclaimers = any(word in low for word in _DISCLAIMER_GATE) and bool(_DISCLAIMER.search(low))
    pleasantries = any(word in low for word in _PLEASANTRY_GATE)
    logs: list[str] = []
    texts: list[str] = []
    forwarded: list[tuple[int, str]] = []
    offset = 0
    for part in parts:
        lines, part_logs = _split_logs(part.lines, fences)
        logs.extend(part_logs[: MAX_LOG_EXCERPTS - len(logs)])
        if disclaimers:
            lines = _drop_disclaimers(lines)
        lines = _drop_greetings(_cut_signature(lines), pleasantries)
        prose = "\n".join(lines).strip()
        if not prose:
            continue
        if part.sent is not None:
            forwarded.append((offset, part.sent))
        texts.append(prose)
        offset += len(prose) + 2
    own = texts[0] if texts and not (forwarded and forwarded[0][0] == 0) else ""
    return CleanMessage(
        prose="\n\n".join(texts), logs=logs, forwarded_from=forwarded_from, own=own, forwarded=forwarded
    )


# --- HTML -----------------------------------------------------------------------------------

_HTML = re.compile(
    r"</(?:p|div|span|td|li|b|i|a|font|strong|em|table|html|body)>|<br\s*/?>|<(?:html|body)\b", re.IGNORECASE
)
_BLOCKS = "p, div, li, tr, h1, h2, h3, h4, blockquote, table, ul, ol, pre"


# words a mail sets apart in italics, code or a coloured span that read as a shown string ("Pending
# verification", "Delivered – 250 2.0.0 OK"), not a token, key, path or address
_SET_APART = re.compile(r"\s*[^\W\d_](?:[^\W_]|[ .,!’–-])*\s*")


def html_to_text(html: str) -> str:
    """The text of an HTML body (selectolax): a line per `<br>` and per block, entities decoded,
    a link's address after its words, no tag, script or style left."""
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "head"])
    for node in tree.css("a"):  # a link's address holds what its words do not (the ids in its URL)
        href = (node.attributes.get("href") or "").strip().removeprefix("mailto:")
        if href and not href.startswith(("#", "javascript:")) and href not in node.text():
            node.insert_after(f" ({href})")
    for node in tree.css("i, em, code, kbd, span[style]"):  # a string the mail sets apart, as quoted
        words = node.text()
        if 2 < len(words) <= 60 and _SET_APART.fullmatch(words) and not node.css("a"):
            node.insert_before("“")
            node.insert_after("”")
    for node in tree.css("br"):
        node.insert_after("\n")
    for node in tree.css("td, th"):  # a table's cells stay apart ("409 stock_unavailable", "4.021")
        node.insert_after("\t")
    for node in tree.css(_BLOCKS):
        node.insert_after("\n")
    root = tree.body or tree.root
    text = root.text(separator="") if root is not None else ""
    return re.sub(r"\n{3,}", "\n\n", text.replace("\xa0", " "))


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Lower-case `text` keeping every offset valid (cue patterns run case-sensitively on this).

    Cached: one message's texts are folded by several extractors."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
