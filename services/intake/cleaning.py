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

_REPLY_HEADER = re.compile(
    r"^\s*(?:"
    r"on\b.{0,200}\bwrote\s*:?"  # On Mon, 3 May 2024, Ana <a@b> wrote:
    r"|am\b.{0,200}\bschrieb\b.{0,80}"  # Am 03.05.2024 um 10:12 schrieb Ana:
    r"|le\b.{0,200}\ba\s+écrit\s*:?"  # Le 3 mai 2024, Ana a écrit :
    r"|el\b.{0,200}\bescribió\s*:?"  # El 3 may 2024, Ana escribió:
    r"|-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}"
    r")\s*$",
    re.MULTILINE,
)
_FORWARD_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:forwarded message|weitergeleitete nachricht|message transféré|"
    r"mensaje reenviado|begin forwarded message|original-nachricht)\s*:?\s*(?:-{2,})?\s*$",
    re.MULTILINE,
)
_HEADER_LINE = re.compile(
    r"^\s*(?:from|sent|date|to|cc|subject|von|gesendet|datum|an|betreff|de|envoyé|date|à|objet|"
    r"para|enviado|fecha|asunto)\s*:\s*(.*)$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

# --- signatures, disclaimers, greetings ---------------------------------------------------

_SIGNOFF = re.compile(
    r"^\s*(?:--\s*|—\s*|"
    r"(?:best|kind|warm|many)?\s*regards|best wishes|best|cheers|thanks(?: a lot| again| so much)?|"
    r"thank you(?: very much)?|many thanks|sincerely|yours(?: truly| sincerely)?|"
    r"mit freundlichen grüßen|mit freundlichen gruessen|freundliche grüße|viele grüße|beste grüße|"
    r"liebe grüße|lg|mfg|gruß|grüße|danke(?: schön| im voraus)?|vielen dank|"
    r"cordialement|bien cordialement|bien à vous|salutations|merci(?: beaucoup| d'avance)?|"
    r"saludos(?: cordiales)?|un saludo|atentamente|muchas gracias|gracias(?: de antemano)?|"
    r"sent from my \w+|envoyé de mon \w+|von meinem \w+ gesendet|enviado desde mi \w+)"
    r"\s*[,.!]*\s*$",
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

_LOG_LINE = re.compile(
    r"^\s*(?:"
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"  # timestamped line
    r"|\[?\d{2}:\d{2}:\d{2}"
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
    """One message after noise removal: prose for the narrative, logs kept verbatim."""

    prose: str
    logs: list[str] = field(default_factory=list)
    forwarded_from: list[str] = field(default_factory=list)


def _strip_quotes_and_replies(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop quoted replies; keep forwarded content without its header block."""
    kept: list[str] = []
    forwarded_from: list[str] = []
    in_forward = False
    in_header = False
    for line in lines:
        if _FORWARD_MARKER.match(fold(line)):
            in_forward = True
            in_header = True
            continue
        if in_header:
            header = _HEADER_LINE.match(line)
            if header:
                if line.lstrip().lower().startswith(("from", "von", "de:", "de :")):
                    forwarded_from.extend(m.group(0) for m in _EMAIL.finditer(header.group(1)))
                continue
            if not line.strip():
                continue
            in_header = False
        stripped = line.lstrip()
        if stripped.startswith(">"):
            if in_forward:
                kept.append(stripped.lstrip("> "))
            continue
        if not in_forward and _REPLY_HEADER.match(fold(line)):
            break  # everything below is the earlier conversation
        kept.append(line)
    return kept, forwarded_from


def _drop_disclaimers(lines: list[str]) -> list[str]:
    out: list[str] = []
    paragraph: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            paragraph.append(line)
            continue
        if paragraph and not _DISCLAIMER.search(fold(" ".join(paragraph))):
            out.extend(paragraph)
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
    text = redact_secrets(text[:MAX_INPUT_CHARS].replace("\r\n", "\n").replace("\r", "\n"), secrets, visible)
    lines = text.split("\n")
    forwarded_from: list[str] = []
    low = fold(text)
    if ">" in text or _REPLY_HEADER.search(low) or _FORWARD_MARKER.search(low):
        lines, forwarded_from = _strip_quotes_and_replies(lines)
    lines, logs = _split_logs(lines, "```" in text)
    if any(word in low for word in _DISCLAIMER_GATE) and _DISCLAIMER.search(low):
        lines = _drop_disclaimers(lines)
    lines = _cut_signature(lines)
    lines = _drop_greetings(lines, any(word in low for word in _PLEASANTRY_GATE))
    prose = "\n".join(lines).strip()
    return CleanMessage(prose=prose, logs=logs, forwarded_from=forwarded_from)


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Lower-case `text` keeping every offset valid (cue patterns run case-sensitively on this).

    Cached: one message's texts are folded by several extractors."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
