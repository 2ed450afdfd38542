"""Load a domain folder into typed models; every error names the file, the key and the line.

A domain folder holds `domain.yaml`, whose sections are either written inline or name another
file of the folder (`playbooks: playbooks.yaml`):

    product       name, brand and sign-off, languages, the tenant entity, required identifiers
    vocabulary    identifier kinds, vendor domains and hosts, surfaces, components, integrations,
                  roles, problem types with cue words per language, secret patterns
    data          sources (sql | files | http) and the logical entities mapped onto them
    checks        check instances of the generic kinds, with their text templates
    code_checks   Python files of the folder (or `entrypoint:NAME` of the `supportflow.checks`
                  entry-point group) whose `CHECKS` mapping adds the adopter's own checks
    playbooks     hypotheses (class, prior, confirm rule, checks, signals, attributes) and
                  which problem types they serve
    routing       class → route, with per-cause overrides
    replies       reply text per class, cause and check, per language
    llm           optional provider for rewriting and intake help

Loading happens once when a service starts; nothing about the folder fails later at a ticket.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .models import (
    CheckSpec,
    DataModel,
    HypothesisSpecModel,
    Llm,
    Product,
    Routing,
    Vocabulary,
)
from .yamlfile import DomainError, YamlDoc, read_yaml

# Checks every domain has: the requester's membership of the tenant, and the similar resolved
# cases of the learner's pattern store (not a product source).
BUILTIN_CHECKS = ("identity.requester_membership", "patterns.similar_cases")
ENTRY_POINT_GROUP = "supportflow.checks"
SECTIONS = (
    "product",
    "vocabulary",
    "data",
    "checks",
    "code_checks",
    "playbooks",
    "routing",
    "replies",
    "llm",
)


@dataclass
class Domain:
    """One product, as every service sees it."""

    folder: Path
    name: str
    product: Product
    vocabulary: Vocabulary
    data: DataModel
    checks: dict[str, CheckSpec]
    code_checks: dict[str, Callable[..., Any]]
    playbooks: dict[str, Any]
    """The playbooks section as written (the investigator builds its objects from it)."""
    routing: Routing
    replies: dict[str, Any]
    llm: Llm
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def check_names(self) -> set[str]:
        return {*BUILTIN_CHECKS, *self.checks, *self.code_checks}

    def hypothesis_attribute(self, cause: str | None, name: str, default: Any = None) -> Any:
        """An attribute of the hypothesis behind `cause` (see `HypothesisSpecModel.attributes`)."""
        for key, spec in (self.playbooks.get("hypotheses") or {}).items():
            if (spec.get("cause") or key) == cause:
                return (spec.get("attributes") or {}).get(name, default)
        return default


def _section(
    folder: Path, doc: YamlDoc, name: str, env: Mapping[str, str] | None = None
) -> tuple[YamlDoc, Any]:
    """A section of domain.yaml, read from its own file when it names one."""
    value = doc.data.get(name) if isinstance(doc.data, dict) else None
    if isinstance(value, str) and value.endswith((".yaml", ".yml")):
        path = (folder / value).resolve()
        if not path.is_file():
            raise doc.error((name,), f"names {value}, which is not a file of {folder}")
        sub = read_yaml(path, env=name == "data", overrides=env)
        return sub, sub.data
    return doc, value


M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], doc: YamlDoc, loc: tuple[str | int, ...], value: Any) -> M:
    try:
        return model.model_validate(value if value is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = (*loc, *first["loc"])
        raise doc.error(where, first["msg"]) from None


def _load_code_checks(folder: Path, doc: YamlDoc, entries: Any) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    if entries is None:
        return found
    if not isinstance(entries, list):
        raise doc.error(("code_checks",), "must be a list of .py files or entrypoint:NAME")
    for index, entry in enumerate(entries):
        loc = ("code_checks", index)
        text = str(entry)
        if text.startswith("entrypoint:"):
            wanted = text.split(":", 1)[1]
            matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == wanted]
            if not matches:
                raise doc.error(loc, f"no {ENTRY_POINT_GROUP} entry point named {wanted!r} is installed")
            checks = matches[0].load()
        else:
            path = (folder / text).resolve()
            if not path.is_file():
                raise doc.error(loc, f"{text} is not a file of {folder}")
            module_name = f"supportflow_domain_{folder.name.replace('-', '_')}_{path.stem}"
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:
                raise doc.error(loc, f"cannot import {text}")
            module = sys.modules.get(module_name)
            if module is None or getattr(module, "__file__", None) != str(path):
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                try:
                    spec.loader.exec_module(module)
                except Exception as exc:
                    del sys.modules[module_name]
                    raise doc.error(loc, f"importing {text} failed: {type(exc).__name__}: {exc}") from None
            checks = getattr(module, "CHECKS", None)
        if not isinstance(checks, Mapping):
            raise doc.error(loc, f"{text} has no CHECKS mapping of check name → function")
        found.update({str(name): fn for name, fn in checks.items()})
    return found


def _validate_playbooks(doc: YamlDoc, raw: Any, known_checks: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise doc.error((), "playbooks must be a mapping with hypotheses and playbooks")
    hypotheses = raw.get("hypotheses") or {}
    if not hypotheses:
        raise doc.error(("hypotheses",), "no hypotheses")
    for cause, spec in hypotheses.items():
        parsed = _validate(HypothesisSpecModel, doc, ("hypotheses", cause), spec)
        for index, step in enumerate(parsed.checks):
            name = step if isinstance(step, str) else step.check
            if name not in known_checks:
                raise doc.error(
                    ("hypotheses", cause, "checks", index),
                    f"unknown check {name!r}: declare it under checks or in a code_checks file",
                )
    for name, spec in (raw.get("playbooks") or {}).items():
        for index, member in enumerate((spec or {}).get("hypotheses") or ()):
            if member not in hypotheses:
                raise doc.error(("playbooks", name, "hypotheses", index), f"unknown hypothesis {member!r}")
    for index, member in enumerate(raw.get("rule_out") or ()):
        if member not in hypotheses:
            raise doc.error(("rule_out", index), f"unknown hypothesis {member!r}")
    for name in raw.get("checks") or {}:
        if name not in known_checks:
            raise doc.error(("checks", name), f"cost given for unknown check {name!r}")
    return raw


def _validate_checks(doc: YamlDoc, raw: Any, data: DataModel) -> dict[str, CheckSpec]:
    from supportflow.domain.kinds import DEFAULT_ENTITY, ENTITY_PARAMS, KIND_PARAMS

    checks: dict[str, CheckSpec] = {}
    for name, spec in (raw or {}).items():
        loc: tuple[str | int, ...] = (name,)
        if "." not in str(name):
            raise doc.error(loc, "a check is named source.check (e.g. requests.rate_limits)")
        parsed = _validate(CheckSpec, doc, loc, spec)
        if parsed.kind not in KIND_PARAMS:
            raise doc.error(
                (*loc, "kind"), f"unknown check kind {parsed.kind!r} (one of {sorted(KIND_PARAMS)})"
            )
        if parsed.entity is not None and parsed.entity not in data.entities:
            raise doc.error((*loc, "entity"), f"unknown entity {parsed.entity!r}")
        if parsed.entity is None and parsed.kind != "code" and parsed.kind not in DEFAULT_ENTITY:
            raise doc.error(loc, f"kind {parsed.kind} needs an entity")
        for param in ENTITY_PARAMS.get(parsed.kind, ()):
            named = parsed.params.get(param)
            if named is not None and named not in data.entities:
                raise doc.error((*loc, "params", param), f"unknown entity {named!r}")
        required, optional = KIND_PARAMS[parsed.kind]
        for param in required:
            if param not in parsed.params:
                raise doc.error((*loc, "params"), f"kind {parsed.kind} needs param {param!r}")
        for param in parsed.params:
            if param not in required and param not in optional:
                raise doc.error((*loc, "params", param), f"kind {parsed.kind} has no param {param!r}")
        checks[str(name)] = parsed
    return checks


def load_domain(folder: str | Path, env: Mapping[str, str] | None = None) -> Domain:
    """Read and validate a domain folder. Raises `DomainError` naming file, key and line.

    `${NAME}` references in domain.yaml and the data section are filled from `env`, then from
    the process environment."""
    root = Path(folder).expanduser().resolve()
    if root.is_file():
        root = root.parent
    main = root / "domain.yaml"
    if not main.is_file():
        raise DomainError(f"{root}: not a domain folder (no domain.yaml)")
    doc = read_yaml(main, env=True, overrides=env)
    if not isinstance(doc.data, dict):
        raise doc.error((), "domain.yaml must be a mapping of sections")
    for key in doc.data:
        if key not in SECTIONS:
            raise doc.error((key,), f"unknown section (sections: {', '.join(SECTIONS)})")
    files: dict[str, Path] = {"domain": main}

    def section(name: str) -> tuple[YamlDoc, Any]:
        sub, value = _section(root, doc, name, env)
        files[name] = sub.path
        return sub, value

    product_doc, product_raw = section("product")
    loc = ("product",) if product_doc is doc else ()
    product = _validate(Product, product_doc, loc, product_raw)
    vocab_doc, vocab_raw = section("vocabulary")
    vocabulary = _validate(Vocabulary, vocab_doc, ("vocabulary",) if vocab_doc is doc else (), vocab_raw)
    for kind in (product.tenant.identifier, product.scope, *product.required_identifiers):
        if (
            kind
            and kind not in vocabulary.identifiers
            and kind not in ("time_window", "error_details", "action")
        ):
            raise product_doc.error(
                (*loc, "tenant"), f"identifier kind {kind!r} is not in vocabulary.identifiers"
            )
    data_doc, data_raw = section("data")
    data = _validate(DataModel, data_doc, ("data",) if data_doc is doc else (), data_raw)
    if product.tenant.entity not in data.entities:
        raise product_doc.error(
            (*loc, "tenant", "entity"), f"entity {product.tenant.entity!r} is not in data.entities"
        )
    checks_doc, checks_raw = section("checks")
    checks = _validate_checks(checks_doc, checks_raw, data)
    code_checks = _load_code_checks(root, doc, doc.data.get("code_checks"))
    if clash := sorted(set(checks) & set(code_checks)):
        raise doc.error(("code_checks",), f"checks declared twice (checks and code_checks): {clash}")
    play_doc, play_raw = section("playbooks")
    playbooks = _validate_playbooks(play_doc, play_raw, {*BUILTIN_CHECKS, *checks, *code_checks})
    routing_doc, routing_raw = section("routing")
    routing = _validate(Routing, routing_doc, ("routing",) if routing_doc is doc else (), routing_raw)
    _, replies_raw = section("replies")
    llm_doc, llm_raw = section("llm")
    llm = _validate(Llm, llm_doc, ("llm",), llm_raw)
    return Domain(
        folder=root,
        name=root.name,
        product=product,
        vocabulary=vocabulary,
        data=data,
        checks=checks,
        code_checks=code_checks,
        playbooks=playbooks,
        routing=routing,
        replies=replies_raw or {},
        llm=llm,
        files=files,
    )
