"""Similarity over learned patterns: the signature of a ticket and the in-memory pattern index.

Shared by the investigator (priors and similar resolved cases), the drafter and the learner
(which writes patterns with these signatures). Lexical (BM25 over numpy arrays): no model
downloads at run time.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from supportflow.events import IntakeSection, Pattern
from supportflow.pattern_store import pack, unpack

MAX_SIGNATURE_TERMS = 64

_TOKEN = re.compile(r"[^\W_]+(?:_[^\W_]+)*", re.UNICODE)
# Case-specific tokens say nothing about the problem: bare numbers, hex runs and ids, shaped as
# most products write them, a short prefix and a run with a digit ("ab_q8w4re", "abc_live_m3n7");
# the ids the intake found are dropped whatever their shape (`signature_text`). Not our own
# "http_404" (a status is a feature of the problem).
_CASE_SPECIFIC = re.compile(
    r"^\d+$|^[0-9a-f]{8,}$|^(?!http_)[a-z]{1,6}_(?:[a-z]+_)?(?=[a-z]*\d)[a-z0-9]{4,}$"
)
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
    if "integration" in intake.identifiers:  # the intake's own kind: the product's integration named
        features["integration"] = intake.identifiers["integration"]
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
    # the ids, addresses and names the ticket gave are taken out where they stand, so an ordinary
    # word inside one ("mail" in mail.shop.example) still counts elsewhere; not its codes nor the
    # integration it named
    told = {signature.value for signature in intake.error_signatures}
    text = " ".join(parts).lower()
    given = {v.lower() for k, v in intake.identifiers.items() if k != "integration" and v and v not in told}
    for value in sorted(given, key=len, reverse=True):
        text = text.replace(value, " ")
    return " ".join(dict.fromkeys(terms(text)))


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


class PatternIndex(Mapping[str, Pattern]):
    """In-memory BM25 index over pattern signatures, with a feature-overlap bonus.

    Memory is bounded per pattern: a signature's text is dropped once indexed (postings are
    arrays of document numbers and float32 weights, read by numpy without copying), the
    feature set is interned, and the pattern itself is kept packed (`pattern_store.pack`) and
    rebuilt only for the k results.

    A lookup shortlists on the query's discriminating terms (those in at most `common_share`
    of the patterns) with every one of their postings, vectorised, then adds the common terms'
    weights for the shortlisted patterns only (their postings are sorted: a binary search
    each). A common term carries a small idf, so it orders the shortlist but rarely changes
    who is on it. A query made of common terms only is scored on all of them.

    Replacing or removing a pattern retires its document number; the postings of retired
    documents are dropped in one pass once they pile up. Length normalisation uses a fixed
    reference length, so adding patterns never re-weights existing postings. Not thread-safe;
    one index per process, fed from the patterns topic.
    """

    def __init__(
        self,
        *,
        k1: float = 1.2,
        b: float = 0.75,
        reference_length: float = 24.0,
        text_weight: float = 0.7,
        common_share: float = 0.125,
    ) -> None:
        self._k1, self._b, self._reference_length = k1, b, reference_length
        self._text_weight = text_weight
        self._common_share = common_share
        self._doc_of: dict[str, int] = {}
        """pattern_id -> its live document number."""
        self._blobs: list[bytes | None] = []
        self._ids: list[str | None] = []
        self._live = bytearray()
        self._retired = 0
        self._postings: dict[str, tuple[array[int], array[float]]] = {}
        self._df: dict[str, int] = {}
        """term -> how many live documents hold it (postings also hold retired ones)."""
        self._feature_of = array("i")
        """document -> number of its feature set in `_feature_sets`."""
        self._feature_sets: list[frozenset[tuple[str, str]]] = []
        self._feature_numbers: dict[frozenset[tuple[str, str]], int] = {}

    def __len__(self) -> int:
        return len(self._doc_of)

    def __contains__(self, pattern_id: object) -> bool:
        return pattern_id in self._doc_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._doc_of)

    def __getitem__(self, pattern_id: str) -> Pattern:
        blob = self._blobs[self._doc_of[pattern_id]]
        assert blob is not None
        return unpack(blob)

    def add(self, pattern: Pattern) -> None:
        """Insert or replace (by pattern_id)."""
        self._retire(pattern.pattern_id)
        doc = len(self._ids)
        counts: dict[str, int] = {}
        for term in terms(pattern.signature):
            counts[term] = counts.get(term, 0) + 1
        length = sum(counts.values())
        for term, tf in counts.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = (array("i"), array("f"))
            postings[0].append(doc)
            postings[1].append(self._weight(tf, length))
            self._df[term] = self._df.get(term, 0) + 1
        features = frozenset(_comparable(pattern.features))
        number = self._feature_numbers.get(features)
        if number is None:
            number = self._feature_numbers[features] = len(self._feature_sets)
            self._feature_sets.append(features)
        self._doc_of[pattern.pattern_id] = doc
        self._ids.append(pattern.pattern_id)
        self._blobs.append(pack(pattern))
        self._feature_of.append(number)
        self._live.append(1)
        if self._retired > 1024 and self._retired > len(self._doc_of) // 4:
            self._compact()

    def _weight(self, tf: int, length: int) -> float:
        """BM25 term weight for `tf` occurrences in a signature of `length` terms."""
        norm = self._k1 * (1.0 - self._b + self._b * length / self._reference_length)
        return tf * (self._k1 + 1.0) / (tf + norm)

    def remove(self, pattern_id: str) -> None:
        self._retire(pattern_id)

    def _retire(self, pattern_id: str) -> None:
        doc = self._doc_of.pop(pattern_id, None)
        if doc is None:
            return
        blob = self._blobs[doc]
        assert blob is not None
        for term in set(terms(unpack(blob).signature)):  # the text is not kept: read it back once
            if self._df[term] == 1:
                del self._df[term]
            else:
                self._df[term] -= 1
        self._live[doc] = 0
        self._blobs[doc] = None
        self._ids[doc] = None
        self._retired += 1

    def _compact(self) -> None:
        """Drop retired documents: renumber the live ones and filter every posting list."""
        live = np.frombuffer(self._live, dtype=np.bool_)
        renumber = np.cumsum(live, dtype=np.int32) - 1
        kept: dict[str, tuple[array[int], array[float]]] = {}
        for term, (docs, weights) in self._postings.items():
            numbers = np.frombuffer(docs, dtype=np.int32)
            alive = live[numbers]
            if alive.any():
                kept[term] = (
                    array("i", renumber[numbers[alive]].tobytes()),
                    array("f", np.frombuffer(weights, dtype=np.float32)[alive].tobytes()),
                )
        self._postings = kept
        self._feature_of = array("i", np.frombuffer(self._feature_of, dtype=np.int32)[live].tobytes())
        self._blobs = [blob for blob in self._blobs if blob is not None]
        self._ids = [pattern_id for pattern_id in self._ids if pattern_id is not None]
        self._live = bytearray(b"\x01" * len(self._ids))
        self._doc_of = {pattern_id: doc for doc, pattern_id in enumerate(self._ids) if pattern_id}
        self._retired = 0

    def similar(self, intake: IntakeSection, k: int = 5) -> list[tuple[Pattern, float]]:
        """The k patterns most like this ticket, best first, with a score in [0, 1]."""
        return self.similar_to(signature_text(intake), intake_features(intake), k)

    def similar_to(self, text: str, features: Mapping[str, str], k: int = 5) -> list[tuple[Pattern, float]]:
        total = len(self._doc_of)
        if total == 0 or k <= 0:
            return []
        query = [
            (self._df[term], *self._postings[term]) for term in dict.fromkeys(terms(text)) if term in self._df
        ]
        if not query:
            return []
        # The query scored as a document of its own length: an identical signature scores 1.
        self_weight = self._weight(1, len(query))
        upper = 0.0
        cutoff = max(64, int(self._common_share * total))
        rare: list[tuple[float, np.ndarray, np.ndarray]] = []
        common: list[tuple[float, np.ndarray, np.ndarray]] = []
        for df, docs, weights in query:
            idf = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
            upper += idf * self_weight
            item = (idf, np.frombuffer(docs, dtype=np.int32), np.frombuffer(weights, dtype=np.float32))
            (rare if df <= cutoff else common).append(item)
        if not rare:
            rare, common = common, []
        scores = np.zeros(len(self._ids), dtype=np.float32)
        for idf, numbers, values in rare:
            scores[numbers] += np.float32(idf) * values
        if self._retired:
            scores *= np.frombuffer(self._live, dtype=np.uint8)
        found = np.flatnonzero(scores > 0.0)  # a boolean mask lists faster than the scores themselves
        shortlist = max(k * 8, 64)
        if len(found) > shortlist:
            found = found[np.argpartition(scores[found], -shortlist)[-shortlist:]]
        text_scores = scores[found].astype(np.float64)
        for idf, numbers, values in common:
            at = np.minimum(np.searchsorted(numbers, found), len(numbers) - 1)
            text_scores += np.where(numbers[at] == found, idf * values[at], 0.0)
        query_features = frozenset(_comparable(features))
        overlaps: dict[int, float] = {}
        ranked: list[tuple[float, str, int]] = []
        for doc, text_score in zip(found.tolist(), (text_scores / upper).tolist(), strict=True):
            number = self._feature_of[doc]
            overlap = overlaps.get(number)
            if overlap is None:
                overlap = overlaps[number] = _overlap(query_features, self._feature_sets[number])
            score = self._text_weight * min(text_score, 1.0) + (1.0 - self._text_weight) * overlap
            pattern_id = self._ids[doc]
            assert pattern_id is not None
            ranked.append((score, pattern_id, doc))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return [(unpack(self._blobs[doc] or b""), round(score, 6)) for score, _, doc in ranked[:k]]

    def priors(self, intake: IntakeSection, k: int = PRIOR_MATCHES) -> dict[str, float]:
        """`cause_priors` over the k patterns most like this ticket."""
        return cause_priors(self.similar(intake, k))

    def extend(self, patterns: Iterable[Pattern]) -> None:
        for pattern in patterns:
            self.add(pattern)


def _overlap(query: frozenset[tuple[str, str]], pattern: frozenset[tuple[str, str]]) -> float:
    """Jaccard overlap of two feature sets (0 when both are empty)."""
    union = query | pattern
    return len(query & pattern) / len(union) if union else 0.0


def _comparable(features: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """The feature pairs that count for similarity (not the kept answer's bookkeeping)."""
    return ((key, value) for key, value in features.items() if not key.startswith("answer_"))


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
