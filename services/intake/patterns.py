"""Regular-expression helpers for the intake's long word lists.

Python's regex engine tries every alternative of `\\b(?:their account|partners?|…)` at every
word start of a ticket. `alternation` writes a word list as a trie instead, and `Gated` searches
a pattern only where one of the literal beginnings its matches must start with occurs: a trie of
those beginnings finds the few places worth trying, the pattern itself decides there. Both give
exactly the matches the plain pattern gives.
"""

from __future__ import annotations

import re
import re._constants as _sre  # type: ignore[import-not-found]  # the stdlib parser: what matches start with
import re._parser as _sre_parse  # type: ignore[import-not-found]
from collections.abc import Iterable, Iterator
from typing import Any

_ENOUGH = 8  # letters of a beginning: beyond this few places are left to rule out
_MOST_BEGINNINGS = 600
_SMALL_SET = 4  # a character set of up to this many letters is spelled out ("organi[sz]ation")


def alternation(words: Iterable[str]) -> str:
    """A pattern for any of `words`, the longest first where one begins another ("minutes" before
    "min"). Lower-case words are written as a trie ("m(?:in(?:ute(?:s)?)?|onth)"), which the
    regex engine follows letter by letter instead of trying every word at every character; as the
    words that fit at one place are then each the beginning of the next, it tries them in the
    same order, longest first."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if any(w != w.lower() for w in words):
        return "|".join(re.escape(w) for w in words)
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    branches = [re.escape(letter) + _trie_pattern(rest) for letter, rest in sorted(node.items()) if letter]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body  # a longer word first, then the one ending here


class Gated:
    """`pattern` searched only at the places where a match may begin: its literal beginnings
    (`beginnings`), found by one trie. Where a pattern has an alternative with no such beginning
    (one that starts with `\\w+` or `.`), it is searched as it is."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        found = beginnings(pattern)
        self._places = re.compile(alternation(found)) if found else None

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        if self._places is None:
            return self.pattern.search(text, pos, end)
        find, match = self._places.search, self.pattern.match
        while (place := find(text, pos, end)) is not None:
            found = match(text, place.start(), end)
            if found is not None:
                return found
            pos = place.start() + 1
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """The matches `pattern.finditer` gives (none of the intake's gated patterns matches the
        empty string; one that did would move on a character)."""
        while (found := self.search(text, pos, endpos)) is not None:
            yield found
            pos = found.end() if found.end() > found.start() else found.end() + 1


def beginnings(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literal strings one of which every match of `pattern` starts with (None when some match
    may start otherwise, or the strings would be too short to narrow the search)."""
    if pattern.flags & re.IGNORECASE:
        return None
    heads, _ = _heads(list(_sre_parse.parse(pattern.pattern, pattern.flags)), {""})
    if heads is None or not heads or min(len(h) for h in heads) < 2:
        return None
    return tuple(sorted(heads))


def _heads(items: list[tuple[Any, Any]], prefixes: set[str]) -> tuple[set[str] | None, bool]:
    """The beginnings after `items` are matched, each of `prefixes` extended; whether the items
    were all spelled out (so what follows them may extend the beginnings further)."""
    for index, (op, av) in enumerate(items):
        if op is _sre.AT or op in (_sre.ASSERT, _sre.ASSERT_NOT):
            continue  # a boundary or a lookaround takes no character
        if min(len(p) for p in prefixes) >= _ENOUGH or len(prefixes) > _MOST_BEGINNINGS:
            return prefixes, False
        if op is _sre.LITERAL:
            prefixes = {p + chr(av) for p in prefixes}
        elif op is _sre.IN and len(av) <= _SMALL_SET and all(kind is _sre.LITERAL for kind, _ in av):
            prefixes = {p + chr(code) for p in prefixes for _, code in av}
        elif op is _sre.BRANCH:
            extended: set[str] = set()
            whole = True
            for alternative in av[1]:
                heads, spelled = _heads(list(alternative), prefixes)
                if heads is None:
                    return None, False
                extended |= heads
                whole = whole and spelled
            prefixes = extended
            if not whole:
                return prefixes, False
        elif op is _sre.SUBPATTERN:
            if av[1] & re.IGNORECASE:  # a case-blind group ("(?i:their)"): its letters are not literal
                return (None if prefixes == {""} else prefixes), False
            heads, spelled = _heads(list(av[3]), prefixes)
            if heads is None or not spelled:
                return heads, False
            prefixes = heads
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            heads, _ = _heads(list(av[2]), prefixes)
            return heads, False
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[1] == 1:
            # an optional part ("(?:there is )?no error"): the beginnings with it and without it
            rest = items[index + 1 :]
            taken, spelled = _heads(list(av[2]), prefixes)
            if taken is not None and spelled:
                taken, spelled = _heads(rest, taken)
            skipped, skip_spelled = _heads(rest, prefixes)
            if taken is None or skipped is None:
                return None, False
            return taken | skipped, spelled and skip_spelled
        else:
            return (None if prefixes == {""} else prefixes), False
    return prefixes, True
