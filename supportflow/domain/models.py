"""The typed shape of a domain folder: everything that is true of one product.

The engine reasons over logical entities (the tenant, its members, requests, events, changes,
deploys, incidents, documented behaviours, …) and logical fields; a domain maps them onto the
adopter's own tables or HTTP endpoints and names its identifiers, words, causes and replies.
Nothing here knows a product: every value comes from the folder.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from supportflow.events import DECISION_CLASSES

TimeFormat = Literal["iso", "epoch_s", "epoch_ms"]
IdentifierRole = Literal["tenant", "scope", "member", "request", "resource", "key_prefix", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return pattern


# --- product ---------------------------------------------------------------------------------


class Tenant(Strict):
    """The entity that scopes every read: an account, an organization, a team …"""

    entity: str = "tenants"
    """The data-model entity holding one row per tenant."""
    identifier: str
    """The identifier kind that names a tenant in tickets (a key of `vocabulary.identifiers`)."""
    noun: dict[str, str] = Field(default_factory=dict)
    """What customers call it, per language ("account", "Konto", "organization" …)."""


class Product(Strict):
    name: str
    brand: str = ""
    """Who signs replies ("Acme Support"); the product name when empty."""
    signoff: dict[str, str] = Field(default_factory=dict)
    """The closing of a reply per language; a generic one names `brand` when a language has none."""
    languages: list[str] = Field(default_factory=lambda: ["en"])
    tenant: Tenant
    scope: str | None = None
    """The identifier kind of a sub-tenant scope the investigation needs (a project, a site)."""
    required_identifiers: list[str] = Field(default_factory=list)
    """Identifier kinds the investigation asks the customer for when a ticket lacks them."""

    @property
    def signature(self) -> str:
        return self.brand or self.name


# --- vocabulary ------------------------------------------------------------------------------


class IdentifierKind(Strict):
    """One kind of identifier customers quote: a regular expression for the whole id."""

    pattern: str
    """The whole identifier; matched case-insensitively at word boundaries, e.g. `acc[_-][a-z0-9]{6}`.
    Where it also matches words around the identifier, a group named `id` is the identifier."""
    role: IdentifierRole = "resource"
    example: str = ""
    """Shown in the clarifying question when the identifier is missing."""
    canonical: Literal["lower", "upper", "as_written"] = "lower"
    separator: str | None = None
    """Written back with this separator after the prefix ("ab-x" → "ab_x") when set."""
    component: str | None = None
    """The component a ticket naming this identifier is about."""
    labels: dict[str, str] = Field(default_factory=dict)
    """What the identifier is called, per language."""
    words: list[str] = Field(default_factory=list)
    """Other words customers use for it (any language), e.g. for a scope named in words."""
    questions: dict[str, str] = Field(default_factory=dict)
    """The clarifying question when it is missing, per language (a generic one otherwise)."""
    near: list[str] = Field(default_factory=list)
    """When set, a mention counts only in a sentence holding one of these words (`word*` for any
    ending, any language): a recipient address only where delivery is what the sentence is about."""
    counterpart: bool = False
    """An address of the tenant's counterpart (a recipient, an end customer): never the requester's
    own address nor one at the requester's own organisation (a colleague is a member)."""

    _check = field_validator("pattern")(_compiles)


class SecretPattern(Strict):
    """A product secret: the match is masked; `keep` leading characters may stay visible."""

    name: str
    pattern: str
    keep: int = 0

    _check = field_validator("pattern")(_compiles)


class Component(Strict):
    words: list[str] = Field(default_factory=list)
    """Words (any language, stems are fine) that point at this component."""
    routes: list[str] = Field(default_factory=list)
    """Request path segments served by this component."""
    third_party: bool = False


class ProblemType(Strict):
    cues: dict[str, list[str]] = Field(default_factory=dict)
    """Cue words per language ("login": {"en": ["sign in", "sso"], "de": ["anmelden"]}): the
    product's things, the operations on them and their symptoms, as customers write them."""
    codes: list[str] = Field(default_factory=list)
    """Error codes, or identifier heads (`prefix*`), that say the type on their own: they outweigh
    words. Matched against whole words of the ticket (`snake_case`, `UPPER_SNAKE`, an id); where
    several types' codes match one word, the longest spelled code wins (`ORDER_LIMIT_REACHED_*` over
    `ORDER_*`)."""
    strength: float = Field(default=1.0, gt=0)
    """How much one of its cue words counts. A symptom or a cause (slowness, missing data, a
    permission) says more about the trouble than the product thing it happens to (a report,
    an export), so its type may count its words more."""
    beside_an_integration: str | None = None
    """The type this one gives way to when the ticket names one of the domain's `integrations`: a
    refusal told beside a third-party system ("Warehouse: Access Denied … Permission denied") is
    that system's trouble, not a role in the product."""


class Vocabulary(Strict):
    identifiers: dict[str, IdentifierKind] = Field(default_factory=dict)
    vendor_domains: list[str] = Field(default_factory=list)
    """Email domains of the vendor itself: never a customer identity."""
    hosts: list[str] = Field(default_factory=list)
    surfaces: dict[str, list[str]] = Field(default_factory=dict)
    components: dict[str, Component] = Field(default_factory=dict)
    integrations: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    """Member roles from least to most privileged."""
    problem_types: dict[str, ProblemType] = Field(default_factory=dict)
    secrets: list[SecretPattern] = Field(default_factory=list)
    problem_type_fallback: str | None = None
    """The type of a ticket whose words name none of the others (a vague "it doesn't work")."""
    error_code_pattern: str = r"[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+"
    """What an error code looks like in this product (UPPER_SNAKE by default)."""

    _check = field_validator("error_code_pattern")(_compiles)

    @model_validator(mode="after")
    def _fallback_is_a_type(self) -> Vocabulary:
        fallback = self.problem_type_fallback
        if fallback is not None and fallback not in self.problem_types:
            raise ValueError(f"problem_type_fallback {fallback!r} is not one of the problem_types")
        for name, spec in self.problem_types.items():
            if (
                spec.beside_an_integration is not None
                and spec.beside_an_integration not in self.problem_types
            ):
                raise ValueError(
                    f"problem_types.{name}.beside_an_integration {spec.beside_an_integration!r} is not one of the"
                    " problem_types"
                )
        return self

    def kind_with_role(self, role: str) -> str | None:
        return next((name for name, kind in self.identifiers.items() if kind.role == role), None)


# --- data model ------------------------------------------------------------------------------


class SqlSourceSpec(Strict):
    kind: Literal["sql"] = "sql"
    url: str
    timeout_s: float | None = None


class FilesSourceSpec(Strict):
    kind: Literal["files"] = "files"
    path: str
    timeout_s: float | None = None


class HttpSourceSpec(Strict):
    kind: Literal["http"] = "http"
    url: str
    token_env: str | None = None
    timeout_s: float | None = None


SourceSpec = SqlSourceSpec | FilesSourceSpec | HttpSourceSpec


class Breaker(Strict):
    threshold: int = 3
    reset_s: float = 30.0


class Entity(Strict):
    """A logical entity on one of the adopter's sources, read as it is.

    `fields` maps logical field names to the adopter's columns (SQL, files) or JSON paths
    (HTTP: `$.components[*].name`, `name`). The tenant and time fields are named in the
    adopter's terms; `time_format` says how its times are stored.
    """

    source: str
    table: str | None = None
    """The SQL table, the file stem (files) or the path under the base URL (HTTP)."""
    items: str | None = None
    """HTTP: JSON path to the list of rows in the answer (`$.incidents`)."""
    tenant_field: str | None = None
    """Column holding the tenant id; None for global entities (incidents, deploys, articles)."""
    time_field: str | None = None
    time_format: TimeFormat = "iso"
    times: list[str] = Field(default_factory=list)
    """Other time columns, in the same format, converted to datetimes when read."""
    json_fields: list[str] = Field(default_factory=list)
    """Columns stored as JSON text."""
    fields: dict[str, str] = Field(default_factory=dict)
    where: dict[str, Any] = Field(default_factory=dict)
    """Fixed equality filters (in the adopter's column names), e.g. {kind: deploy}."""
    server_filters: bool = False
    """HTTP: the endpoint understands the filter parameters (else everything is filtered locally)."""


class DataModel(Strict):
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    entities: dict[str, Entity] = Field(default_factory=dict)
    timeout_s: float = 2.0
    max_concurrency: int = 8
    breaker: Breaker = Field(default_factory=Breaker)

    @model_validator(mode="after")
    def _sources_exist(self) -> DataModel:
        for name, entity in self.entities.items():
            if entity.source not in self.sources:
                raise ValueError(f"entity {name!r} reads unknown source {entity.source!r}")
        return self


# --- checks ----------------------------------------------------------------------------------


class CheckText(Strict):
    """What a check says when it supports, contradicts or finds nothing, per language.

    Templates name facts in braces (`{count}`, `{latest}`); a template whose facts are not all
    known is skipped for the next one."""

    supports: dict[str, list[str]] = Field(default_factory=dict)
    contradicts: dict[str, list[str]] = Field(default_factory=dict)
    neutral: dict[str, list[str]] = Field(default_factory=dict)


class CheckSpec(Strict):
    """One check: an instance of a generic kind over an entity, or `kind: code` (the adopter's)."""

    kind: str
    entity: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    cost: float = 1.0
    customer_safe: bool = True
    text: CheckText = Field(default_factory=CheckText)
    """Customer-safe wording (used in replies)."""
    internal: CheckText = Field(default_factory=CheckText)
    """Internal wording (evidence table, internal note); `text` when empty."""


# --- playbooks -------------------------------------------------------------------------------


class HypothesisSignals(Strict):
    error_codes: list[str] = Field(default_factory=list)
    code_parts: list[str] = Field(default_factory=list)
    statuses: list[int] = Field(default_factory=list)
    components: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)


class CheckStepSpec(Strict):
    check: str
    required: bool = True


class HypothesisSpecModel(Strict):
    title: str
    class_: str = Field(alias="class")
    prior: float = 0.05
    confirm: Literal["all", "any"] = "all"
    checks: list[str | CheckStepSpec]
    signals: HypothesisSignals = Field(default_factory=HypothesisSignals)
    cause: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    """What varies by cause and the engine acts on: `platform: true` (tickets of it group into
    incidents), `scope: third_party` (the failing party is outside the product) …; and
    what a domain's own checks read (`auth: api_key`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("class_")
    @classmethod
    def _known_class(cls, value: str) -> str:
        if value not in DECISION_CLASSES:
            raise ValueError(f"unknown class {value!r} (one of {', '.join(DECISION_CLASSES)})")
        return value


# --- routing and replies ---------------------------------------------------------------------


class RouteSpec(Strict):
    queue: str
    team: str
    priority: str = "normal"
    escalate: bool = False


class Routing(Strict):
    classes: dict[str, RouteSpec]
    causes: dict[str, RouteSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _every_class(self) -> Routing:
        missing = [c for c in DECISION_CLASSES if c not in self.classes]
        if missing:
            raise ValueError(f"no route for classes {missing}")
        return self


class Llm(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    provider: str = "none"
    intake: bool = False
