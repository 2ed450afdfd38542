"""The engine holds no product knowledge: nothing of a domain folder's vocabulary appears in the
string literals of `supportflow/` or `services/` (DESIGN.md §6).

The vocabulary is read from the shipped example domains themselves — product and brand names,
vendor domains and hosts, identifier prefixes, the scope's names, cause ids, check names, the adopter's table
names, components, integrations, roles and its checks' own fact names — so a word that moves into a domain folder is
checked from then on."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from domains import HERE as DOMAINS
from supportflow.domain import Domain, load_domain

REPO = Path(__file__).resolve().parents[2]
ENGINE = ("supportflow", "services")
# Identifier prefixes that are plain words of the engine's own vocabulary (`key_prefix`).
GENERIC_PREFIXES = frozenset({"key"})
# Words so common in plain English (or in the engine's own logical vocabulary) that an exact
# literal proves nothing: the engine may say "events" or "admin" without knowing a product.
GENERIC = frozenset(
    {
        "events",
        "changes",
        "incidents",
        "behaviours",
        "users",
        "logs",
        "admin",
        "owner",
        "billing",
        "auth",
        "api",
        "integrations",
        "console",
        "templates",
        "developer",
    }
)


def _domains() -> list[Domain]:
    return [load_domain(folder) for folder in sorted(DOMAINS.iterdir()) if (folder / "domain.yaml").is_file()]


def _prefix(pattern: str) -> str | None:
    head = re.match(r"[A-Za-z]{2,}", pattern)
    return head.group(0).lower() if head else None


def vocabulary_of(domain: Domain) -> tuple[set[str], set[str]]:
    """(exact literals that must not appear, words that must not start anywhere in a literal)."""
    exact: set[str] = set()
    inside: set[str] = {domain.product.name.lower()}
    inside |= {w.lower() for w in domain.product.name.split() if len(w) >= 5}
    inside |= {d.lower() for d in [*domain.vocabulary.vendor_domains, *domain.vocabulary.hosts]}
    for kind in domain.vocabulary.identifiers.values():
        prefix = _prefix(kind.pattern)
        if prefix and prefix not in GENERIC_PREFIXES:
            inside |= (
                {prefix + "_", prefix + "-"} if kind.separator or "[_-]" in kind.pattern else {prefix + "_"}
            )
    # what customers call the scope ("workspace"): the engine takes it from the domain
    scope = domain.vocabulary.identifiers.get(domain.product.scope or "")
    inside |= {label.lower() for label in (scope.labels.values() if scope else ()) if " " not in label}
    for secret in domain.vocabulary.secrets:
        prefix = _prefix(secret.pattern.removeprefix("(?i)"))
        if prefix:
            inside.add(prefix + "_")
    hypotheses = domain.playbooks.get("hypotheses") or {}
    exact |= set(hypotheses) | {str(spec.get("cause")) for spec in hypotheses.values() if spec.get("cause")}
    exact |= domain.check_names - {"identity.requester_membership", "patterns.similar_cases"}
    exact |= {e.table for e in domain.data.entities.values() if e.table}
    exact |= set(domain.vocabulary.components) | {i.lower() for i in domain.vocabulary.integrations}
    exact |= set(domain.vocabulary.roles)
    # the names its checks state facts under, where its texts use others ("rejected_attempts")
    exact |= {name for name in domain.replies.get("fact_names") or {} if "_" in name}
    return exact - GENERIC, inside


def engine_literals() -> list[tuple[Path, int, str]]:
    found: list[tuple[Path, int, str]] = []
    for top in ENGINE:
        for path in sorted((REPO / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.append((path.relative_to(REPO), node.lineno, node.value))
    return found


@pytest.mark.parametrize("domain", _domains(), ids=lambda d: d.name)
def test_no_domain_vocabulary_in_engine_code(domain: Domain) -> None:
    exact, inside = vocabulary_of(domain)
    offences = []
    for path, line, value in engine_literals():
        low = value.lower()
        if low in exact or any(re.search(r"(?<![a-z0-9_])" + re.escape(word), low) for word in inside):
            offences.append(f"{path}:{line}: {value[:60]!r}")
    assert not offences, (
        f"{len(offences)} literals of the {domain.name} domain in engine code:\n" + "\n".join(offences[:60])
    )


def test_the_check_sees_a_planted_word(tmp_path: Path) -> None:
    """The scan itself works: a literal of the demo's vocabulary is found."""
    domain = _domains()[0]
    exact, inside = vocabulary_of(domain)
    assert exact and inside
    word = sorted(exact)[0]
    tree = ast.parse(f"X = {word!r}\n")
    values = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert any(str(v).lower() in exact for v in values)


def _causes_and_codes(domain: Domain) -> set[str]:
    """The domain's cause ids and the error codes its hypotheses and problem types name."""
    hypotheses = domain.playbooks.get("hypotheses") or {}
    words = set(hypotheses) | {str(spec.get("cause")) for spec in hypotheses.values() if spec.get("cause")}
    for spec in hypotheses.values():
        words |= set((spec.get("signals") or {}).get("error_codes") or [])
    for problem_type in domain.vocabulary.problem_types.values():
        words |= {code for code in problem_type.codes if "*" not in code}
    # a one-word code ("UNAUTHORIZED") or an HTTP reason ("NOT_FOUND") is plain language
    return {word for word in words if "_" in word} - {"NOT_FOUND"}


@pytest.mark.parametrize("domain", _domains(), ids=lambda d: d.name)
def test_no_cause_or_error_code_of_a_domain_anywhere_in_engine_files(domain: Domain) -> None:
    """Not in comments either, nor in the skeleton a new domain starts from: an example in the engine
    is a made-up product's, so that no reader takes a shipped domain's codes for the engine's."""
    words = _causes_and_codes(domain)
    assert words
    # a cause read inside a longer name counts too ("<cause>_id")
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, sorted(words))) + r")(?![A-Za-z0-9])"
    )
    offences = [
        f"{path.relative_to(REPO)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for top in ENGINE
        for path in sorted((REPO / top).rglob("*"))
        if path.is_file() and path.suffix in (".py", ".yaml", ".html", ".sql")
        for text in (path.read_text(encoding="utf-8"),)
        for match in pattern.finditer(text)
    ]
    assert not offences, f"{domain.name}'s causes or codes in engine files:\n" + "\n".join(offences[:40])


def test_no_domains_reply_lead_ends_in_a_colon() -> None:
    """Every section after a lead has its own heading ("What we found:", "Next step:"), so a lead
    ending in a colon announced a list that was not there ("our engineers have the details:"
    followed by the next step, when no finding was the customer's to see)."""
    from services.drafter.templates import replies_for

    ending_in_colon = [
        (domain.product.name, name, language)
        for domain in _domains()
        for name, texts in replies_for(domain).LEADS.items()
        for language, text in texts.items()
        if text.rstrip().endswith(":")
    ]
    assert not ending_in_colon


@pytest.mark.parametrize("domain", _domains(), ids=lambda d: d.name)
def test_no_example_id_of_a_domain_anywhere_in_engine_files(domain: Domain) -> None:
    """The opaque part of a domain's example ids ("7f3k2q" of a made-up account id) is that
    domain's: an engine comment or skeleton gives a made-up product's instead."""
    tails = {
        re.split(r"[_-]", kind.example)[-1].lower()
        for kind in domain.vocabulary.identifiers.values()
        if "@" not in kind.example and "." not in kind.example
    }
    tails = {
        tail for tail in tails if len(tail) >= 4 and re.search(r"\d", tail) and re.search(r"[a-z]", tail)
    }
    assert tails
    offences = [
        f"{path.relative_to(REPO)}: {tail}"
        for top in ENGINE
        for path in sorted((REPO / top).rglob("*"))
        if path.is_file() and path.suffix in (".py", ".yaml", ".html", ".sql")
        for text in (path.read_text(encoding="utf-8").lower(),)
        for tail in sorted(tails)
        if tail in text
    ]
    assert not offences, f"{domain.name}'s example ids in engine files:\n" + "\n".join(offences[:40])
