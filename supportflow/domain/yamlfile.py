"""YAML read with the line of every key, so a domain error can name file, key and line."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
_ENV_REF = re.compile(r"\$\{([A-Z0-9_]+)(?::-((?:[^{}]|\$\{[A-Z0-9_]+\})*))?\}")


class DomainError(ValueError):
    """A domain folder that cannot be used: the message names the file, the key and the line."""


@dataclass
class YamlDoc:
    """One YAML file's data and where each key path starts (1-based lines)."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, loc: Path_) -> int:
        """The line of the deepest known key on `loc` (1 when none is known)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1

    def error(self, loc: Path_, message: str) -> DomainError:
        key = ".".join(str(part) for part in loc) or "(top level)"
        return DomainError(f"{self.path}:{self.line_of(loc)}: {key}: {message}")


def _fill_env(text: str, overrides: Mapping[str, str] | None = None) -> str:
    """`${NAME}` references filled from `overrides`, then the environment (empty when unset);
    `${NAME:-fallback}` uses the fallback (which may hold `${OTHER}`) when NAME is unset or empty."""
    values = {**os.environ, **(overrides or {})}

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        if value or match.group(2) is None:
            return value
        fallback = match.group(2)
        return _ENV_REF.sub(lambda m: values.get(m.group(1), ""), fallback)

    return _ENV_REF.sub(fill, text)


def _build(node: yaml.Node, loc: Path_, lines: dict[Path_, int]) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            child = (*loc, key if isinstance(key, str | int) else str(key))
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, index), lines) for index, item in enumerate(node.value)]
    return _scalar(node)


_CONSTRUCTOR = yaml.SafeLoader("")
# libyaml's parser where PyYAML was built with it (node marks and errors are the same), ~10x faster
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(node: yaml.Node) -> Any:
    """A scalar node's value, typed as safe_load types it (an empty value is None)."""
    return _CONSTRUCTOR.construct_object(node, deep=True)


def read_yaml(path: Path, *, env: bool = False, overrides: Mapping[str, str] | None = None) -> YamlDoc:
    """Parse `path`; a syntax error becomes a `DomainError` with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DomainError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if env:
        text = _fill_env(text, overrides)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise DomainError(f"{path}:{line}: not valid YAML: {problem}") from None
    lines: dict[Path_, int] = {}
    data = _build(node, (), lines) if node is not None else {}
    return YamlDoc(path=path, data=data, lines=lines)
