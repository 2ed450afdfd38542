"""What a ticket says, reduced to families the checks and the ranking reason over."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from supportflow.events import CaseFile

INTEGRATIONS = ("salesforce", "slack", "snowflake", "hubspot", "bigquery")
ROLE_ORDER = ("viewer", "analyst", "editor", "admin", "owner")

_CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")
_STATUS = re.compile(r"\b(?:http|status|error|code)?\s*[:#]?\s*\b([45]\d\d)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")

# Words of the product vocabulary that point at a component (stems, see `stem`).
_COMPONENT_WORDS: Mapping[str, str] = {
    "export": "exports",
    "csv": "exports",
    "download": "exports",
    "dashboard": "dashboards",
    "chart": "dashboards",
    "widget": "dashboards",
    "ingest": "ingest",
    "ingestion": "ingest",
    "pipeline": "ingest",
    "upload": "ingest",
    "import": "ingest",
    "fresh": "ingest",
    "freshnes": "ingest",
    "login": "auth",
    "sso": "auth",
    "saml": "auth",
    "okta": "auth",
    "password": "auth",
    "mfa": "auth",
    "signin": "auth",
    "api": "api-gateway",
    "token": "api-gateway",
    "endpoint": "api-gateway",
    "schedul": "scheduler",
    "cron": "scheduler",
    "recurr": "scheduler",
    "billing": "billing",
    "usage": "billing",
    "alert": "scheduler",
    "invoice": "billing",
    "payment": "billing",
    "subscription": "billing",
    "integration": "integrations",
    "integr": "integrations",
    "sync": "integrations",
    "connector": "integrations",
}
_IDENTIFIER_COMPONENTS: Mapping[str, str] = {
    "export_id": "exports",
    "dashboard_id": "dashboards",
    "api_key_prefix": "api-gateway",
}
# Object words as they appear in event types ("export.create") mapped like ticket words.
OBJECT_COMPONENTS = _COMPONENT_WORDS


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


def role_rank(role: object) -> int:
    name = str(role or "").lower()
    return ROLE_ORDER.index(name) if name in ROLE_ORDER else -1


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

    @classmethod
    def from_case(cls, case: CaseFile) -> TicketSignals:
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
        codes |= set(_CODE.findall(text))
        codes = {c for c in codes if not c.startswith(("LK_LIVE", "HTTP_"))}
        for match in _STATUS.finditer(text):
            value = int(match.group(1))
            if value in (400, 401, 402, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504):
                statuses.add(value)
        lowered = text.lower()
        stems = stems_of(lowered)
        components = {comp for word, comp in _COMPONENT_WORDS.items() if stem(word) in stems}
        if "sign in" in lowered or "log in" in lowered or "single sign" in lowered:
            components.add("auth")
        for key, comp in _IDENTIFIER_COMPONENTS.items():
            if key in identifiers:
                components.add(comp)
        integrations = {name for name in INTEGRATIONS if name in lowered}
        if named := identifiers.get("integration"):
            integrations.add(named.lower().removeprefix("integration:"))
        if integrations:
            components.add("integrations")
            components |= {f"integration:{name}" for name in integrations}
        if surface == "api":
            components.add("api-gateway")
        return cls(
            error_codes=frozenset(codes),
            statuses=frozenset(statuses),
            components=frozenset(components),
            integrations=frozenset(integrations),
            stems=stems,
            text=lowered,
            identifiers=identifiers,
            surface=surface,
        )

    def mentions(self, keyword: str) -> bool:
        keyword = keyword.lower()
        if " " in keyword or not keyword.isalnum():
            return keyword in self.text
        return stem(keyword) in self.stems or (len(keyword) >= 5 and keyword in self.text)

    def object_matches(self, event_type: str) -> bool:
        """Whether an event type ("export.create", "dashboard.deleted") is about what the ticket is."""
        raw = re.split(r"[._:-]", event_type.lower())[0]
        obj = stem(raw)
        if obj in self.stems:
            return True
        component = _COMPONENT_WORDS.get(raw) or _COMPONENT_WORDS.get(obj)
        return component is not None and component in self.components
