"""The domain's vocabulary compiled for reading tickets: identifier kinds, key prefixes, secrets,
integrations, the vendor's own addresses and hosts, the scope's name in each language, and the
problem types with their cue words. The intake's extractors take one of these; nothing in the
intake names a product.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

from supportflow.domain import Domain
from supportflow.domain.models import IdentifierKind

_B = r"(?<![A-Za-z0-9_])"  # identifier start boundary
_E = r"(?![A-Za-z0-9_])"
_LITERAL_HEAD = re.compile(r"^[A-Za-z]+")
# an error code names the cause: it outweighs however much is said of the symptom it caused (a
# report "gone flat, all at zero" because the collector's batches fail schema validation)
CODE_STRENGTH = 20.0
_GENERIC_VENDOR_BOXES = r"^(?:no-?reply|support|help|helpdesk|billing|sales|info)@"


@dataclass(frozen=True)
class IdPattern:
    """One identifier kind as the intake finds it in (lower-cased) ticket text."""

    name: str
    pattern: re.Pattern[str]
    gate: tuple[str, ...]
    """Substrings one of which a text must hold to be worth scanning (empty: always scan)."""
    canonical: Callable[[str], str]


def _canonical(kind: IdentifierKind) -> Callable[[str], str]:
    head = _LITERAL_HEAD.match(kind.pattern)
    prefix_len = len(head.group(0)) if head else 0

    def canonical(value: str) -> str:
        if kind.separator and prefix_len and len(value) > prefix_len and value[prefix_len] in "-_":
            value = value[:prefix_len] + kind.separator + value[prefix_len + 1 :]
        if kind.canonical == "lower":
            return value.lower()
        if kind.canonical == "upper":
            return value.upper()
        return value

    return canonical


def _id_pattern(name: str, kind: IdentifierKind) -> IdPattern:
    head = _LITERAL_HEAD.match(kind.pattern)
    gate: tuple[str, ...] = ()
    if head and len(head.group(0)) >= 2:
        literal = head.group(0).lower()
        rest = kind.pattern[len(head.group(0)) :]
        gate = (literal + "_", literal + "-") if rest.startswith(("[_-]", "[-_]")) else (literal,)
    return IdPattern(
        name=name,
        pattern=re.compile(_B + "(" + kind.pattern + ")" + _E, re.IGNORECASE),
        gate=gate,
        canonical=_canonical(kind),
    )


def _cue_parts(cues: list[str]) -> tuple[list[str], list[str]]:
    """Single-word cues as regex alternatives (`export*` → `export\\w*`) and multi-word phrases."""
    words: list[str] = []
    phrases: list[str] = []
    for cue in cues:
        cue = cue.strip().lower()
        if not cue:
            continue
        if " " in cue:
            phrases.append(cue.removesuffix("*"))  # found inside the text: any ending is one
        elif cue.endswith("*"):
            words.append(re.escape(cue[:-1]) + r"\w*")
        else:
            words.append(re.escape(cue))
    return words, phrases


def _code_pattern(code: str) -> re.Pattern[str]:
    """An error code as a pattern over folded text (`api_key_*` → any code with that head)."""
    spelled = re.escape(code.strip().lower().removesuffix("*")) + (
        r"[\w.]*" if code.strip().endswith("*") else ""
    )
    return re.compile(r"(?<![\w.])" + spelled + r"(?!\w|\.\w)")


@dataclass(frozen=True)
class ProblemTypeCues:
    name: str
    word: re.Pattern[str] | None
    phrases: tuple[str, ...]
    strength: float = 1.0
    beside_an_integration: str | None = None  # the type it gives way to where an integration is named


@dataclass(frozen=True, eq=False)
class IntakeVocabulary:
    identifiers: tuple[IdPattern, ...] = ()
    """Kinds of the tenant, scope, members, requests and resources (not key prefixes)."""
    key_prefixes: tuple[IdPattern, ...] = ()
    request: IdPattern | None = None
    integrations: re.Pattern[str] | None = None
    integration_gate: tuple[str, ...] = ()
    vendor_email: re.Pattern[str] = re.compile(_GENERIC_VENDOR_BOXES)
    api_hosts: tuple[str, ...] = ()
    ui_hosts: tuple[str, ...] = ()
    scope_words: tuple[str, ...] = ()
    """What customers call the scope (a project, a site) in each language."""
    scope_kind: str | None = None
    tenant_kind: str | None = None
    tenant_words: tuple[str, ...] = ()
    """What customers call the tenant and its scope in each language (lower case)."""
    resource_words: tuple[str, ...] = ()
    """The product's resources by name, from their identifier kinds (`message_id` → message)."""
    product_nouns: tuple[str, ...] = ()
    """The words of the product's name ("Acme Mail": acme, mail): a ticket whose only thing is the
    product itself ("mails not working") names none of its things."""
    product_words: tuple[str, ...] = ()
    """The product's own name, as customers write it ("the <name> app")."""
    problem_types: tuple[ProblemTypeCues, ...] = ()
    type_codes: tuple[tuple[re.Pattern[str], str], ...] = ()
    """Every type's codes with the type they name, the longest spelled first."""
    problem_type_fallback: str | None = None
    """The type of a ticket whose words name no other."""
    secrets: tuple[tuple[re.Pattern[str], int], ...] = ()
    """Product secret patterns and how many leading characters may stay visible."""
    examples: dict[str, str] = field(default_factory=dict)
    questions: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    component_words: tuple[str, ...] = ()
    """Words customers use for the product's components (single words, any language)."""
    integration_names: tuple[str, ...] = ()
    member_kinds: tuple[str, ...] = ()
    """Identifier kinds of the tenant's members (a user id, a member id)."""
    resource_kinds: tuple[str, ...] = ()
    """Identifier kinds of the product's resources (a report id, a message id)."""
    error_code: re.Pattern[str] = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
    lower_codes: bool = False
    """Whether the product writes its error codes in lower snake case (`coupon_not_valid`)."""
    vendor_address: re.Pattern[str] = re.compile(r"(?!)")
    """An address at one of the vendor's own domains (generic boxes of other domains excluded)."""
    near: dict[str, re.Pattern[str]] = field(default_factory=dict)
    """Per identifier kind, the words one of which its sentence must hold (kinds with `near`)."""
    near_ids: dict[str, tuple[IdPattern, ...]] = field(default_factory=dict)
    """Per kind with `near`, the resource kinds of its own component: one of them in the sentence
    tells the same ("message <id> to <address>")."""
    counterpart_kinds: frozenset[str] = frozenset()
    vendor_domains: tuple[str, ...] = ()
    """The vendor's own domains: a host under one is never a customer's identifier."""
    """Address kinds of the tenant's counterparts: never at the requester's own organisation."""

    @classmethod
    def from_domain(cls, domain: Domain) -> IntakeVocabulary:
        vocabulary = domain.vocabulary
        identifiers: list[IdPattern] = []
        prefixes: list[IdPattern] = []
        request: IdPattern | None = None
        for name, kind in vocabulary.identifiers.items():
            compiled = _id_pattern(name, kind)
            if kind.role == "key_prefix":
                prefixes.append(compiled)
                continue
            identifiers.append(compiled)
            if kind.role == "request" and request is None:
                request = compiled
        integrations = None
        if vocabulary.integrations:
            spelled = [
                r"\s?".join(re.escape(part) for part in _split_camel(name))
                for name in vocabulary.integrations
            ]
            integrations = re.compile(r"\b(" + "|".join(spelled) + r")\b")
        vendor = [re.escape(d.lower().lstrip("@")) for d in vocabulary.vendor_domains]
        vendor_address = r"@(?:[\w-]+\.)*(?:" + "|".join(vendor) + r")$" if vendor else r"(?!)"
        vendor_email = re.compile((vendor_address + "|" if vendor else "") + _GENERIC_VENDOR_BOXES)
        hosts = [h.lower() for h in vocabulary.hosts]
        api_hosts = tuple(h for h in hosts if h.startswith("api.") or ".api." in h)
        ui_hosts = tuple(h for h in hosts if h not in api_hosts)
        scope_kind = domain.product.scope
        scope_words: tuple[str, ...] = ()
        if scope_kind and scope_kind in vocabulary.identifiers:
            kind = vocabulary.identifiers[scope_kind]
            scope_words = tuple(dict.fromkeys(w.lower() for w in [*kind.labels.values(), *kind.words] if w))
        problem_types = []
        codes: list[tuple[str, str]] = []
        for name, spec in vocabulary.problem_types.items():
            codes += [(code.strip(), name) for code in spec.codes if code.strip()]
            words: list[str] = []
            phrases: list[str] = []
            for cues in spec.cues.values():
                more_words, more_phrases = _cue_parts(cues)
                words += more_words
                phrases += more_phrases
            word = re.compile("(?:" + "|".join(dict.fromkeys(words)) + ")") if words else None
            problem_types.append(
                ProblemTypeCues(
                    name, word, tuple(dict.fromkeys(phrases)), spec.strength, spec.beside_an_integration
                )
            )
        name_words = tuple(dict.fromkeys(w.lower() for w in domain.product.name.split()[:1] if len(w) >= 3))
        return cls(
            identifiers=tuple(identifiers),
            key_prefixes=tuple(prefixes),
            request=request,
            integrations=integrations,
            integration_gate=tuple(dict.fromkeys(n.lower()[:4] for n in vocabulary.integrations)),
            vendor_email=vendor_email,
            api_hosts=api_hosts,
            ui_hosts=ui_hosts,
            scope_words=scope_words,
            scope_kind=scope_kind,
            tenant_kind=domain.product.tenant.identifier,
            tenant_words=tuple(
                dict.fromkeys([*(w.lower() for w in domain.product.tenant.noun.values() if w), *scope_words])
            ),
            resource_words=tuple(
                name.removesuffix("_id").replace("_", " ")
                for name, kind in vocabulary.identifiers.items()
                if kind.role == "resource"
            ),
            product_nouns=tuple(
                dict.fromkeys(w.lower() for w in re.findall(r"[^\W\d_]+", domain.product.name) if len(w) >= 4)
            ),
            product_words=name_words,
            problem_types=tuple(problem_types),
            type_codes=tuple(
                (_code_pattern(code), name)
                for code, name in sorted(codes, key=lambda c: len(c[0].removesuffix("*")), reverse=True)
            ),
            problem_type_fallback=vocabulary.problem_type_fallback,
            secrets=tuple((re.compile(s.pattern), s.keep) for s in vocabulary.secrets),
            examples={name: kind.example for name, kind in vocabulary.identifiers.items() if kind.example},
            questions={
                name: dict(kind.questions) for name, kind in vocabulary.identifiers.items() if kind.questions
            },
            labels={name: dict(kind.labels) for name, kind in vocabulary.identifiers.items()},
            required=tuple(domain.product.required_identifiers),
            component_words=tuple(
                dict.fromkeys(
                    w.lower()
                    for c in vocabulary.components.values()
                    for w in [*c.words, *c.routes]
                    if w and " " not in w and len(w) >= 3
                )
            ),
            integration_names=tuple(n.lower() for n in vocabulary.integrations),
            member_kinds=tuple(n for n, k in vocabulary.identifiers.items() if k.role == "member"),
            resource_kinds=tuple(n for n, k in vocabulary.identifiers.items() if k.role == "resource"),
            error_code=re.compile(vocabulary.error_code_pattern),
            lower_codes=bool(re.search(r"[a-z]{2,}_[a-z]{2,}", vocabulary.error_code_pattern)),
            vendor_address=re.compile(vendor_address),
            vendor_domains=tuple(d.lower().lstrip("@") for d in vocabulary.vendor_domains),
            near={name: _near(kind.near) for name, kind in vocabulary.identifiers.items() if kind.near},
            near_ids={
                name: tuple(
                    found
                    for found in identifiers
                    if found.name != name
                    and vocabulary.identifiers[found.name].role == "resource"
                    and vocabulary.identifiers[found.name].component == kind.component
                )
                for name, kind in vocabulary.identifiers.items()
                if kind.near and kind.component
            },
            counterpart_kinds=frozenset(n for n, k in vocabulary.identifiers.items() if k.counterpart),
        )

    @property
    def scope_name_key(self) -> str | None:
        """The identifier key for a scope named in words (`project_id` → `project_name`)."""
        return self.scope_kind.removesuffix("_id") + "_name" if self.scope_kind else None

    def label(self, kind: str, language: str = "en") -> str:
        """What an identifier kind is called ("project", "organization"), for statements."""
        names = self.labels.get(kind) or {}
        return names.get(language) or names.get("en") or kind.removesuffix("_id").replace("_", " ")

    @cached_property
    def example_values(self) -> frozenset[str]:
        """The examples in lower case: the placeholders the product's own documentation shows."""
        return frozenset(example.lower() for example in self.examples.values())

    @cached_property  # (built once per vocabulary: the types are costly to hash for a cache)
    def phrases_by_first_word(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """The problem types' phrases keyed by their first word: (phrase, type) pairs."""
        return _phrase_index(self.problem_types)

    @lru_cache(maxsize=16384)  # noqa: B019 - one vocabulary per process; words repeat across tickets
    def cue_of(self, token: str) -> tuple[str, float] | None:
        """(type, strength) when `token` is a cue: one of a type's codes (an error code names the
        trouble more surely than any word; the longest spelled code wins among several), else one
        of its words (the type's strength); the type listed first wins among several."""
        for code, name in self.type_codes:
            if code.fullmatch(token):
                return name, CODE_STRENGTH
        for cues in self.problem_types:
            if cues.word is not None and cues.word.fullmatch(token):
                return cues.name, cues.strength
        return None


def _phrase_index(types: tuple[ProblemTypeCues, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    index: dict[str, tuple[tuple[str, str], ...]] = {}
    for cues in types:
        for phrase in cues.phrases:
            first = phrase.split(" ", 1)[0]
            index[first] = (*index.get(first, ()), (phrase, cues.name))
    return index


def _near(words: list[str]) -> re.Pattern[str]:
    single, phrases = _cue_parts(words)
    return re.compile(r"\b(?:" + "|".join([*single, *(re.escape(p) for p in phrases)]) + r")")


def _split_camel(name: str) -> list[str]:
    """ "acmesync" stays one part; "Data Pipe"/"datapipe" are matched with an optional space only
    where the configured name has a space or capital inside."""
    parts = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name) or [name]
    return [p.lower() for p in parts]


@cache
def default_vocabulary() -> IntakeVocabulary:
    """The vocabulary of the configured domain (SUPPORTFLOW_DOMAIN), read once per process."""
    from supportflow.settings import load_domain_for

    return IntakeVocabulary.from_domain(load_domain_for())
