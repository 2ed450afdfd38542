"""Approved answers reused across cases: one case's own values out, another case's in.

The learner keeps an answer with the originating case's identifiers (and the requester's first
name) replaced by `{{field}}` placeholders, and what the settling checks found by
`{{check:fact}}` ones; the drafter fills them from the case it answers (its identifiers, and
the facts its own run of those checks found). A line whose placeholder the new case cannot
fill is left out rather than guessed: an answer never states another case's facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from supportflow.events import CaseFile, Evidence, SettlingEvidence

REQUESTER = "requester_name"
TENANT = "tenant"
PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_.:-]+)\}\}")
MIN_WORDS = 5
ANSWER_LANGUAGE = "answer_language"  # feature of a learned path: the language its answer is in


def case_values(case: CaseFile) -> dict[str, str]:
    """The values of one case that an answer must not carry to another: placeholder -> value."""
    intake = case.intake
    values = {f: v for f, v in (intake.identifiers if intake else {}).items() if len(v) >= 3}
    tenant_id = case.investigation.account_id if case.investigation else None
    if tenant_id and tenant_id not in values.values():
        values[TENANT] = tenant_id
    name = ((intake.requester_name if intake else None) or case.ticket.requester.name or "").split()
    if name and len(name[0]) >= 2 and "@" not in name[0]:
        values[REQUESTER] = name[0]
    return values


def fact_values(evidence: Iterable[Evidence | SettlingEvidence]) -> dict[str, str]:
    """What checks found, as placeholder -> value (`check:fact`); values too short to be told
    apart from ordinary words (one or two characters) are left in the text."""
    values: dict[str, str] = {}
    for item in evidence:
        for key, value in item.facts.items():
            if len(value.strip()) >= 3 or (value.isdigit() and len(value) == 2):
                values.setdefault(f"{item.check}:{key}", value.strip())
    return values


def generalize(answer: str, values: Mapping[str, str]) -> str:
    """The answer with each of the case's own values replaced by its placeholder."""
    for field, value in sorted(values.items(), key=lambda item: -len(item[1])):
        answer = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "{{" + field + "}}", answer)
    return answer


def fill(answer: str, values: Mapping[str, str]) -> str | None:
    """The answer filled with another case's values; lines whose placeholder this case cannot
    fill are left out. None when nothing but greeting-sized text would remain."""
    kept = []
    for line in answer.splitlines():
        if all(name in values for name in PLACEHOLDER.findall(line)):
            kept.append(PLACEHOLDER.sub(lambda m: values[m.group(1)], line))
    filled = "\n".join(kept).strip()
    return filled if len(filled.split()) >= MIN_WORDS else None
