"""What a ticket says, reduced to families the checks and the ranking reason over."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from supportflow.domain.models import Vocabulary
from supportflow.events import CaseFile

_STATUS = re.compile(r"\b(?:http|status|error|code)?\s*[:#]?\s*\b([45]\d\d)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_KNOWN_STATUSES = (400, 401, 402, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The domain vocabulary in the shapes the ranking and the checks look things up in."""

    component_words: Mapping[str, str] = field(default_factory=dict)
    """stem of a word → the component it points at."""
    route_words: Mapping[str, str] = field(default_factory=dict)
    """stem of a request path segment → the component serving it."""
    component_names: frozenset[str] = frozenset()
    third_party: frozenset[str] = frozenset()
    integrations: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    identifier_components: Mapping[str, str] = field(default_factory=dict)
    error_code: re.Pattern[str] = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")
    key_prefixes: tuple[str, ...] = ()
    """Leading letters of key prefixes: codes starting with them are keys, not error codes."""

    @classmethod
    def from_vocabulary(cls, vocabulary: Vocabulary) -> Lexicon:
        words: dict[str, str] = {}
        routes: dict[str, str] = {}
        for name, component in vocabulary.components.items():
            for word in component.words:
                words.setdefault(stem(word), name)
                words.setdefault(word.lower(), name)
            for route in component.routes:
                routes.setdefault(stem(route), name)
                routes.setdefault(route.lower(), name)
        for word, name in words.items():
            routes.setdefault(word, name)
        prefixes = tuple(
            kind.example.rsplit("_", 1)[0].upper()
            for kind in vocabulary.identifiers.values()
            if kind.role == "key_prefix" and "_" in kind.example
        )
        return cls(
            component_words=words,
            route_words=routes,
            component_names=frozenset(vocabulary.components),
            third_party=frozenset(n for n, c in vocabulary.components.items() if c.third_party),
            integrations=tuple(name.lower() for name in vocabulary.integrations),
            roles=tuple(role.lower() for role in vocabulary.roles),
            identifier_components={
                name: kind.component for name, kind in vocabulary.identifiers.items() if kind.component
            },
            error_code=re.compile(rf"\b(?:{vocabulary.error_code_pattern})\b"),
            key_prefixes=tuple(p for p in prefixes if p),
        )

    def role_rank(self, role: object) -> int:
        name = str(role or "").lower()
        return self.roles.index(name) if name in self.roles else -1

    def component_of_word(self, word: str) -> str | None:
        return self.component_words.get(word) or self.component_words.get(stem(word))

    def route_components(self, routes: str) -> frozenset[str]:
        """The components behind request routes ("/v2/events/batch" → the one serving events)."""
        return _route_components(self, routes)


@functools.lru_cache(maxsize=4096)
def _route_components(lexicon: Lexicon, routes: str) -> frozenset[str]:
    found: set[str] = set()
    for segment in re.findall(r"[a-z][a-z_-]*", routes.lower()):
        component = lexicon.route_words.get(segment) or lexicon.route_words.get(stem(segment))
        if component:
            found.add(component)
        elif segment in lexicon.component_names:
            found.add(segment)
    return frozenset(found)


@functools.lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A crude stem so 'exports', 'exporting' and 'exported' meet; applied to both sides.

    Cached: ticket words, event types and routes repeat across rows and cases."""
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def stems_of(text: str) -> frozenset[str]:
    return frozenset(stem(word) for word in _WORD.findall(text.lower()))


@dataclass(frozen=True)
class TicketSignals:
    error_codes: frozenset[str] = frozenset()
    statuses: frozenset[int] = frozenset()
    components: frozenset[str] = frozenset()
    integrations: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    text: str = ""
    identifiers: Mapping[str, str] = field(default_factory=dict)
    surface: str | None = None
    lexicon: Lexicon = field(default_factory=Lexicon)

    @classmethod
    def from_case(cls, case: CaseFile, lexicon: Lexicon | None = None) -> TicketSignals:
        lexicon = lexicon or Lexicon()
        intake = case.intake
        parts: list[str] = [case.ticket.subject, case.ticket.body]
        codes: set[str] = set()
        statuses: set[int] = set()
        identifiers: dict[str, str] = {}
        surface = None
        if intake is not None:
            parts += [intake.problem_statement, intake.action or "", intake.expected or ""]
            parts += [intake.actual or "", intake.steps or "", *intake.log_excerpts]
            identifiers = dict(intake.identifiers)
            surface = intake.environment.surface
            for signature in intake.error_signatures:
                if signature.kind == "error_code":
                    codes.add(signature.value.strip().upper())
                elif signature.kind == "http_status" and signature.value.strip()[:3].isdigit():
                    statuses.add(int(signature.value.strip()[:3]))
            if code := identifiers.get("error_code"):
                codes.add(code.upper())
        text = "\n".join(p for p in parts if p)
        codes |= {c.upper() for c in lexicon.error_code.findall(text)}
        codes = {c for c in codes if not c.startswith((*lexicon.key_prefixes, "HTTP_"))}
        for match in _STATUS.finditer(text):
            value = int(match.group(1))
            if value in _KNOWN_STATUSES:
                statuses.add(value)
        lowered = text.lower()
        stems = stems_of(lowered)
        components = {comp for word, comp in lexicon.component_words.items() if word in stems}
        components |= {
            comp for phrase, comp in lexicon.component_words.items() if " " in phrase and phrase in lowered
        }
        for key, comp in lexicon.identifier_components.items():
            if key in identifiers:
                components.add(comp)
        integrations = {name for name in lexicon.integrations if name in lowered}
        if named := identifiers.get("integration"):
            integrations.add(named.lower().removeprefix("integration:"))
        if integrations:
            components |= {c for c in [lexicon.component_of_word("integration")] if c}
            components |= {f"integration:{name}" for name in integrations}
        if surface == "api":
            components |= {c for c in [lexicon.component_of_word("api")] if c}
        return cls(
            error_codes=frozenset(codes),
            statuses=frozenset(statuses),
            components=frozenset(components),
            integrations=frozenset(integrations),
            stems=stems,
            text=lowered,
            identifiers=identifiers,
            surface=surface,
            lexicon=lexicon,
        )

    def mentions(self, keyword: str) -> bool:
        keyword = keyword.lower()
        if " " in keyword or not keyword.isalnum():
            return keyword in self.text
        return stem(keyword) in self.stems or (len(keyword) >= 5 and keyword in self.text)

    def object_matches(self, event_type: str) -> bool:
        """Whether an event type ("export.create", "report.deleted") is about what the ticket is."""
        raw = re.split(r"[._:-]", event_type.lower())[0]
        obj = stem(raw)
        if obj in self.stems:
            return True
        component = self.lexicon.component_words.get(raw) or self.lexicon.component_words.get(obj)
        return component is not None and component in self.components
