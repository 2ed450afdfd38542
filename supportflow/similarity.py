"""Similarity over learned patterns: the signature of a ticket and the in-memory pattern index.

Shared by the investigator (priors and similar resolved cases), the drafter and the learner
(which writes patterns with these signatures). Pure Python: no model downloads at run time.
"""

from __future__ import annotations

import difflib
import hashlib
import heapq
import math
import re
from collections.abc import Iterable, Mapping
from itertools import islice

from supportflow.events import IntakeSection, Pattern

MAX_SIGNATURE_TERMS = 64

_TOKEN = re.compile(r"[^\W_]+(?:_[^\W_]+)*", re.UNICODE)
# Case-specific tokens say nothing about the problem: ids, emails' parts, bare numbers.
_CASE_SPECIFIC = re.compile(r"^(?:acc|ws|usr|req|dsh|exp|inc|lk|pat)_|^\d+$|^[0-9a-f]{8,}$")
_STOPWORDS = frozenset(
    str.split(
        "a an the and or but if to of in on at for from with by is are was were be been it its this that "
        "i we you my our your me us they he she not no can cannot can't do does did have has had when since "
        "after before as so just any all there here what which who how why please hi hello thanks thank "
        "der die das und oder ist sind ein eine nicht ich wir sie es mit von für auf bei seit "
        "le la les et ou est sont un une des pas je nous vous il elle avec pour sur dans depuis "
        "el los las y o es son un una no yo nosotros usted con para en desde"
    )
)


def terms(text: str) -> list[str]:
    """Lower-cased content tokens, with ids, numbers and stopwords dropped; light plural folding."""
    out: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if token in _STOPWORDS or len(token) < 2 or _CASE_SPECIFIC.search(token):
            continue
        if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
            token = token[:-1]
        out.append(token)
    return out


def intake_features(intake: IntakeSection) -> dict[str, str]:
    """Categorical features of a ticket: what kind of problem, where, with which error."""
    features: dict[str, str] = {}
    if intake.problem_type:
        features["problem_type"] = intake.problem_type
    if intake.environment.surface:
        features["surface"] = intake.environment.surface
    for signature in intake.error_signatures:
        if signature.kind in ("error_code", "http_status") and signature.kind not in features:
            features[signature.kind] = signature.value
    for key in ("integration",):
        if key in intake.identifiers:
            features[key] = intake.identifiers[key]
    if "api_key_prefix" in intake.identifiers:
        features["api_key"] = "named"
    return features


def signature_text(intake: IntakeSection) -> str:
    """The text representation used for similarity: problem, action, outcome and error signals."""
    parts: list[str] = [
        intake.problem_type or "",
        intake.problem_statement,
        intake.action or "",
        intake.actual or "",
    ]
    for signature in intake.error_signatures:
        if signature.kind == "request_id":
            continue
        parts.append(f"http_{signature.value}" if signature.kind == "http_status" else signature.value)
    if intake.environment.surface:
        parts.append(f"surface_{intake.environment.surface}")
    return " ".join(dict.fromkeys(terms(" ".join(parts))))


def pattern_id_for(intake: IntakeSection, decision_class: str, cause: str | None) -> str:
    """Deterministic: the same kind of problem settled the same way maps to the same pattern."""
    features = intake_features(intake)
    key = intake.problem_type or features.get("error_code")
    if not key:
        key = "sig:" + " ".join(sorted(signature_text(intake).split())[:8])
    digest = hashlib.sha1(f"{key}|{decision_class}|{cause or ''}".encode()).hexdigest()
    return f"pat_{digest[:16]}"


PRIOR_MATCHES = 20
"""How many similar patterns weigh into the cause priors."""


class PatternIndex:
    """In-memory BM25 index over pattern signatures, with a feature-overlap bonus.

    Candidate pruning keeps a lookup bounded: query terms are visited rarest first; a term whose
    posting list is longer than `max_postings` only re-scores candidates already found (or, when
    nothing rarer matched, contributes its `max_postings` most recently added patterns).
    Length normalisation uses a fixed reference length, so adding patterns never re-weights
    existing postings. Not thread-safe; one index per process, fed from the patterns table.
    """

    def __init__(
        self,
        *,
        k1: float = 1.2,
        b: float = 0.75,
        reference_length: float = 24.0,
        max_postings: int = 500,
        text_weight: float = 0.7,
    ) -> None:
        self._k1, self._b, self._reference_length = k1, b, reference_length
        self._max_postings = max_postings
        self._text_weight = text_weight
        self._patterns: list[Pattern | None] = []
        self._terms: list[tuple[str, ...]] = []
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        self._postings: dict[str, dict[int, float]] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, pattern_id: object) -> bool:
        return pattern_id in self._slots

    def get(self, pattern_id: str) -> Pattern | None:
        slot = self._slots.get(pattern_id)
        return self._patterns[slot] if slot is not None else None

    def add(self, pattern: Pattern) -> None:
        """Insert or replace (by pattern_id)."""
        slot = self._slots.get(pattern.pattern_id)
        if slot is None:
            slot = self._free.pop() if self._free else len(self._patterns)
            if slot == len(self._patterns):
                self._patterns.append(None)
                self._terms.append(())
            self._slots[pattern.pattern_id] = slot
        else:
            self._unpost(slot)
        counts: dict[str, int] = {}
        for term in terms(pattern.signature):
            counts[term] = counts.get(term, 0) + 1
        length = sum(counts.values())
        for term, tf in counts.items():
            self._postings.setdefault(term, {})[slot] = self._weight(tf, length)
        self._patterns[slot] = pattern
        self._terms[slot] = tuple(counts)

    def _weight(self, tf: int, length: int) -> float:
        """BM25 term weight for `tf` occurrences in a signature of `length` terms."""
        norm = self._k1 * (1.0 - self._b + self._b * length / self._reference_length)
        return tf * (self._k1 + 1.0) / (tf + norm)

    def remove(self, pattern_id: str) -> None:
        slot = self._slots.pop(pattern_id, None)
        if slot is None:
            return
        self._unpost(slot)
        self._patterns[slot] = None
        self._terms[slot] = ()
        self._free.append(slot)

    def _unpost(self, slot: int) -> None:
        for term in self._terms[slot]:
            postings = self._postings.get(term)
            if postings is not None:
                postings.pop(slot, None)
                if not postings:
                    del self._postings[term]

    def similar(self, intake: IntakeSection, k: int = 5) -> list[tuple[Pattern, float]]:
        """The k patterns most like this ticket, best first, with a score in [0, 1]."""
        return self.similar_to(signature_text(intake), intake_features(intake), k)

    def similar_to(self, text: str, features: Mapping[str, str], k: int = 5) -> list[tuple[Pattern, float]]:
        total = len(self._slots)
        if total == 0 or k <= 0:
            return []
        query = [
            (term, self._postings[term]) for term in dict.fromkeys(terms(text)) if term in self._postings
        ]
        if not query:
            return []
        query.sort(key=lambda item: len(item[1]))
        scores: dict[int, float] = {}
        # The query scored as a document of its own length: an identical signature scores 1.
        self_weight = self._weight(1, len(query))
        upper = 0.0
        for _term, postings in query:
            df = len(postings)
            idf = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
            upper += idf * self_weight
            if df <= self._max_postings:
                for slot, weight in postings.items():
                    scores[slot] = scores.get(slot, 0.0) + idf * weight
            elif scores:
                for slot in scores:
                    found = postings.get(slot)
                    if found is not None:
                        scores[slot] += idf * found
            else:
                for slot, weight in islice(reversed(postings.items()), self._max_postings):
                    scores[slot] = idf * weight
        shortlist = heapq.nlargest(k * 8, scores.items(), key=lambda item: item[1])
        query_features = {(key, value) for key, value in features.items() if not key.startswith("answer_")}
        ranked: list[tuple[float, str, Pattern]] = []
        for slot, score in shortlist:
            pattern = self._patterns[slot]
            if pattern is None:
                continue
            ranked.append((self._score(score / upper, query_features, pattern), pattern.pattern_id, pattern))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return [(pattern, round(score, 6)) for score, _, pattern in ranked[:k]]

    def _score(self, text_score: float, query_features: set[tuple[str, str]], pattern: Pattern) -> float:
        pattern_features = {(k, v) for k, v in pattern.features.items() if not k.startswith("answer_")}
        union = query_features | pattern_features
        overlap = len(query_features & pattern_features) / len(union) if union else 0.0
        return self._text_weight * min(text_score, 1.0) + (1.0 - self._text_weight) * overlap

    def priors(self, intake: IntakeSection, k: int = PRIOR_MATCHES) -> dict[str, float]:
        """`cause_priors` over the k patterns most like this ticket."""
        return cause_priors(self.similar(intake, k))

    def extend(self, patterns: Iterable[Pattern]) -> None:
        for pattern in patterns:
            self.add(pattern)


def cause_priors(matches: Iterable[tuple[Pattern, float]]) -> dict[str, float]:
    """P(cause) among similar resolved cases, weighted by similarity, support and reliability.

    Causes sum to 1; patterns settled without a cause (unclear) are left out. Empty when no
    similar pattern exists, so the investigator keeps its playbook order.
    """
    weights: dict[str, float] = {}
    for pattern, score in matches:
        if pattern.cause is None or score <= 0.0:
            continue
        reliability = 1.0 - pattern.reopened / (pattern.support + 1)
        weight = score * math.log1p(pattern.support) * reliability
        weights[pattern.cause] = weights.get(pattern.cause, 0.0) + weight
    total = sum(weights.values())
    if total <= 0.0:
        return {}
    return {cause: weight / total for cause, weight in sorted(weights.items(), key=lambda kv: -kv[1])}


# Below this share of a draft changed, it went out as written (whitespace, a typo).
EDIT_THRESHOLD = 0.02


def revision_distance(drafted: str, final: str) -> float:
    """Normalized edit distance in [0, 1]: 0 = sent unchanged, 1 = entirely rewritten.

    One measure for the learner's revision rate and the review console's recorded edits."""
    if drafted == final:
        return 0.0
    if not drafted or not final:
        return 1.0
    return 1.0 - difflib.SequenceMatcher(None, drafted, final, autojunk=False).ratio()
