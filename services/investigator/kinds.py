"""The generic check kinds a domain's `checks:` are instances of (params: supportflow/domain/kinds.py).

A kind reads one or two entities through `CaseContext` — always scoped to the verified tenant;
entities without a tenant field are global (deploys, incidents, articles) — never more than the
entity's rows in the window it looks at, reduces them with the pure functions of this module,
and returns a `Finding` whose facts the check's text templates name (`{count}`, `{last_at}` …).

Filters (`match`, `other_match`, `about_ticket`, `bad`, `good`) are mappings of a field to a
condition: a scalar (equality), a list (any of) or an operator mapping (`OPERATORS`); the key
`any_of` holds a list of filters one of which must hold. Field
names are the logical fields the entity maps (any key of the row works; `column$.json.path`
reads inside a JSON column). A string may name what the case knows (`REFERENCE_SCOPES`):
`{ticket.<identifier kind>}`, `{member.email}`, `{requester.email}`, `{hypothesis.<attribute>}`,
`{window.start}` … When a value a filter needs is absent, the check is neutral ("the ticket
names no …"); under `about_ticket` that condition is dropped instead.

Strings compare case-insensitively, numbers as numbers ("429" equals 429), times as times.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from supportflow.domain.kinds import DEFAULT_ENTITY, ENTITY_PARAMS
from supportflow.domain.models import CheckSpec, CheckText
from supportflow.events import Verdict

from .context import CaseContext, incident_as_of, moment_of, when
from .finding import Finding, HypothesisLike
from .signals import stems_of
from .sources import Query, Row
from .sources.base import json_path, parse_time
from .sources.registry import TIME

KindFn = Callable[[str, CheckSpec, CaseContext, HypothesisLike], Awaitable[Finding]]
KINDS: dict[str, KindFn] = {}


def kind(name: str) -> Callable[[KindFn], KindFn]:
    def register(fn: KindFn) -> KindFn:
        KINDS[name] = fn
        return fn

    return register


async def run_kind(name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike) -> Finding:
    """Run check `name`, an instance of `spec.kind`, for `hypothesis` on one case.

    Raises `SourceUnavailable` when a source cannot answer (the investigation records it, as for
    every check); an entity the running services have no source for gives `unavailable`."""
    run = KINDS.get(spec.kind)
    if run is None:
        raise ValueError(f"check {name}: no implementation of kind {spec.kind!r}")
    for entity in _entities(spec):
        if not ctx.has(entity):
            return Finding(
                "unavailable",
                f"Could not check {name}: no configured source holds entity {entity!r}.",
                customer_safe=False,
            )
    try:
        return await run(name, spec, ctx, hypothesis)
    except MissingReference as missing:
        facts = {"missing": missing.name}
        return _finding(spec, ctx, "neutral", facts, missing.sentence())


def _entities(spec: CheckSpec) -> list[str]:
    """The entities a check reads: its own (or its kind's default), then those its params name."""
    entity = spec.entity or DEFAULT_ENTITY.get(spec.kind)
    if entity is None:
        raise ValueError(f"kind {spec.kind} needs an entity")
    return [entity, *(str(spec.params[param]) for param in ENTITY_PARAMS.get(spec.kind, ()))]


def _entity(spec: CheckSpec) -> str:
    return _entities(spec)[0]


# --- references: what a filter value may name ------------------------------------------------

REFERENCE_SCOPES = ("ticket", "member", "requester", "hypothesis", "window", "tenant")
_REFERENCE = re.compile(r"\{(" + "|".join(REFERENCE_SCOPES) + r")\.([A-Za-z0-9_\-]+)\}")
# Families of what the ticket says, besides its identifiers: `{ticket.error_codes}` is a list.
_TICKET_FAMILIES = ("error_codes", "statuses", "components", "integrations")


class MissingReference(Exception):
    """A filter names a value the case does not have."""

    def __init__(self, scope: str, field: str) -> None:
        super().__init__(f"{scope}.{field}")
        self.scope = scope
        self.field = field

    @property
    def name(self) -> str:
        return f"{self.scope}.{self.field}"

    def sentence(self) -> str:
        label = self.field.replace("_", " ")
        if self.scope == "ticket":
            return f"The ticket names no {label} to look for."
        if self.scope in ("member", "requester"):
            return f"The {self.scope}'s {label} is not known."
        return f"The {self.scope} has no {label}."


@dataclass(frozen=True)
class References:
    """The values `{scope.name}` may name for one case and hypothesis."""

    scopes: Mapping[str, Mapping[str, Any]]

    @classmethod
    def of(cls, ctx: CaseContext, hypothesis: HypothesisLike) -> References:
        ticket: dict[str, Any] = {}
        for family in _TICKET_FAMILIES:
            values = getattr(ctx.signals, family, ())
            if values:
                ticket[family] = sorted(values)
        ticket.update(ctx.signals.identifiers)
        ticket.update(ctx.intake.identifiers)
        return cls(
            {
                "ticket": ticket,
                "member": ctx.subject,
                "requester": ctx.requester,
                "hypothesis": {"cause": hypothesis.cause, **hypothesis.attributes},
                "window": {"start": ctx.window_start, "end": ctx.window_end},
                "tenant": {"id": ctx.tenant_id},
            }
        )

    def value(self, scope: str, field: str) -> Any:
        found = self.scopes.get(scope, {}).get(field)
        if found is None or found == "" or (isinstance(found, list | tuple | frozenset | set) and not found):
            raise MissingReference(scope, field)
        return found

    def resolve(self, value: Any) -> Any:
        """`value` with every reference filled in; a string that is one reference becomes the
        value itself (a list stays a list: any of)."""
        if isinstance(value, str):
            whole = _REFERENCE.fullmatch(value)
            if whole:
                return self.value(whole.group(1), whole.group(2))
            return _REFERENCE.sub(lambda m: _text(self.value(m.group(1), m.group(2))), value)
        if isinstance(value, list | tuple):
            out: list[Any] = []
            for item in value:
                resolved = self.resolve(item)
                out.extend(resolved if isinstance(resolved, list | tuple) else [resolved])
            return out
        if isinstance(value, Mapping):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def conditions(self, match: Mapping[str, Any] | None, *, soft: bool = False) -> dict[str, Any]:
        """A filter with its references resolved. `soft`: a condition naming a missing value is
        dropped instead of raising `MissingReference`."""
        out: dict[str, Any] = {}
        for key, condition in (match or {}).items():
            try:
                out[str(key)] = self.resolve(condition)
            except MissingReference:
                if not soft:
                    raise
        return out


# --- row filters (pure) ----------------------------------------------------------------------

OPERATORS = frozenset({"eq", "ne", "gte", "gt", "lte", "lt", "in", "not_in", "contains", "matches", "exists"})


def field_value(row: Mapping[str, Any], name: str) -> Any:
    """A row's value of a logical field, or inside a JSON column (`response_body$.error.code`)."""
    if name in row:
        return row[name]
    if "$" in name:
        column, _, path = name.partition("$")
        return json_path(row.get(column) if column else row, path or "$")
    return None


ANY_OF = "any_of"
"""A filter key whose value is a list of filters, one of which must hold (`{any_of: [{spf: failed},
{dkim: failed}]}`); every other key must hold as well."""


def row_matches(row: Mapping[str, Any], conditions: Mapping[str, Any]) -> bool:
    for key, condition in conditions.items():
        if key == ANY_OF:
            if not any(row_matches(row, alternative) for alternative in _listed(condition)):
                return False
        elif not value_matches(field_value(row, key), condition):
            return False
    return True


def select(rows: Iterable[Row], conditions: Mapping[str, Any]) -> list[Row]:
    return [row for row in rows if row_matches(row, conditions)]


def is_operator_mapping(condition: Any) -> bool:
    return isinstance(condition, Mapping) and bool(condition) and all(key in OPERATORS for key in condition)


def value_matches(value: Any, condition: Any) -> bool:
    """Whether a field's value meets a condition: a scalar, a list (any of) or an operator mapping."""
    if is_operator_mapping(condition):
        return all(_operator(op, value, argument) for op, argument in condition.items())
    if isinstance(condition, list | tuple | set | frozenset):
        return any(equal(value, option) for option in condition)
    return equal(value, condition)


def _operator(op: str, value: Any, argument: Any) -> bool:
    if op == "eq":
        return value_matches(value, argument)
    if op == "ne":
        return not value_matches(value, argument)
    if op == "in":
        return any(equal(value, option) for option in _listed(argument))
    if op == "not_in":
        return not any(equal(value, option) for option in _listed(argument))
    if op == "exists":
        present = value is not None and value != "" and value != []
        return present if bool(argument) else not present
    if isinstance(value, list | tuple):
        return any(_operator(op, item, argument) for item in value)
    if value is None:
        return False
    if op == "contains":
        text = json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict) else str(value)
        return any(str(option).casefold() in text.casefold() for option in _listed(argument))
    if op == "matches":
        return any(_regex(str(option)).search(str(value)) is not None for option in _listed(argument))
    pair = _ordered(value, argument)
    if pair is None:
        return False
    left, right = pair
    if op == "gte":
        return bool(left >= right)
    if op == "gt":
        return bool(left > right)
    if op == "lte":
        return bool(left <= right)
    if op == "lt":
        return bool(left < right)
    raise ValueError(f"unknown filter operator {op!r}")


def _listed(argument: Any) -> list[Any]:
    return list(argument) if isinstance(argument, list | tuple | set | frozenset) else [argument]


@functools.lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return parse_time(value)
    if isinstance(value, str) and value[:4].isdigit() and "-" in value:
        try:
            return parse_time(value)
        except ValueError:
            return None
    return None


def _ordered(value: Any, argument: Any) -> tuple[Any, Any] | None:
    """Both sides in one comparable type: times, numbers, else case-folded text."""
    if isinstance(value, datetime) or isinstance(argument, datetime):
        left, right = _moment(value), _moment(argument)
        return (left, right) if left is not None and right is not None else None
    number, bound = _number(value), _number(argument)
    if number is not None and bound is not None:
        return number, bound
    if isinstance(value, str) and isinstance(argument, str):
        return value.casefold(), argument.casefold()
    return None


def equal(value: Any, expected: Any) -> bool:
    """Equality as support data needs it: any element of a list value, numbers as numbers,
    times as times, text case-insensitively."""
    if isinstance(value, list | tuple | set | frozenset):
        return any(equal(item, expected) for item in value)
    if expected is None or value is None:
        return expected is None and value is None
    if isinstance(expected, bool) or isinstance(value, bool):
        return _truth(value) == _truth(expected)
    if isinstance(value, datetime) or isinstance(expected, datetime):
        return _ordered(value, expected) is not None and _moment(value) == _moment(expected)
    number, other = _number(value), _number(expected)
    if number is not None and other is not None:
        return number == other
    return str(value).casefold() == str(expected).casefold()


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off", ""):
        return False
    return None


# --- rows in time (pure) ---------------------------------------------------------------------


def row_time(row: Mapping[str, Any], name: str = TIME) -> datetime | None:
    return moment_of(row.get(name))


def by_time(rows: Iterable[Row]) -> list[Row]:
    """Rows oldest first; rows without a time keep their order, before the timed ones."""
    floor = datetime.min.replace(tzinfo=None)
    indexed = list(enumerate(rows))
    indexed.sort(key=lambda pair: ((row_time(pair[1]) or floor).replace(tzinfo=None), pair[0]))
    return [row for _, row in indexed]


def between(rows: Iterable[Row], start: datetime | None, end: datetime | None) -> list[Row]:
    """Rows whose time is in [start, end) — end exclusive; either bound may be None."""
    out = []
    for row in rows:
        moment = row_time(row)
        if moment is None:
            continue
        if (start is None or moment >= start) and (end is None or moment < end):
            out.append(row)
    return out


def latest(rows: Sequence[Row]) -> Row | None:
    """The row with the latest time; the last row when none has a time."""
    timed = [row for row in rows if row_time(row) is not None]
    if timed:
        return max(timed, key=lambda row: row_time(row) or datetime.min)
    return rows[-1] if rows else None


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


# --- facts and text --------------------------------------------------------------------------


def fact_text(value: Any) -> str | None:
    """A value as facts carry it: times as "2026-11-20 14:05 UTC", lists joined; None is unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        parts = [part for part in (fact_text(item) for item in value) if part]
        return ", ".join(parts) if parts else None
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _text(value: Any) -> str:
    return fact_text(value) or ""


def report_fields(report: Any) -> dict[str, str]:
    """`report` as {fact name: field}: a list of fields, or a mapping naming each fact."""
    if isinstance(report, Mapping):
        return {str(name): str(field) for name, field in report.items()}
    if isinstance(report, str):
        return {report: report}
    return {str(field): str(field) for field in report or ()}


def row_facts(rows: Sequence[Row], report: Any = None) -> dict[str, str]:
    """count, first_at and last_at of `rows`, and for each reported field its value on the
    latest row (`{field}`) and its most frequent values (`{field}_values`)."""
    facts = {"count": str(len(rows))}
    times = [moment for moment in (row_time(row) for row in rows) if moment is not None]
    if times:
        facts["first_at"] = when(min(times))
        facts["last_at"] = when(max(times))
    last = latest(rows)
    for name, field in report_fields(report).items():
        if last is not None and (value := fact_text(field_value(last, field))) is not None:
            facts[name] = value
        seen: Counter[str] = Counter()
        for row in rows:
            text = fact_text(field_value(row, field))
            if text is not None:
                seen[text] += 1
        if seen:
            facts[f"{name}_values"] = ", ".join(value for value, _ in seen.most_common(5))
    return facts


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def fill(template: str, facts: Mapping[str, str]) -> str | None:
    """`template` with its `{fact}` placeholders filled; None when one is not a known fact.
    `{{` and `}}` stand for literal braces."""
    open_, close = "\x00", "\x01"
    text = template.replace("{{", open_).replace("}}", close)
    if any(name not in facts for name in _PLACEHOLDER.findall(text)):
        return None
    text = _PLACEHOLDER.sub(lambda m: facts[m.group(1)], text)
    return text.replace(open_, "{").replace(close, "}")


def render(texts: CheckText, verdict: str, facts: Mapping[str, str], language: str = "en") -> str | None:
    """The first template for `verdict` (the case's language, then English, then any) whose
    facts are all known."""
    by_language: Mapping[str, list[str]] = getattr(texts, verdict, None) or {}
    for lang in dict.fromkeys((language, "en", *by_language)):
        for template in by_language.get(lang, ()):
            filled = fill(template, facts)
            if filled is not None:
                return filled
    return None


def observed_text(
    spec: CheckSpec, verdict: str, facts: Mapping[str, str], language: str, fallback: str
) -> str:
    """What the evidence table shows: the internal wording, else the customer wording, else the
    kind's own sentence."""
    return (
        render(spec.internal, verdict, facts, language)
        or render(spec.text, verdict, facts, language)
        or fallback
    )


def customer_text(
    spec: CheckSpec, verdict: str, facts: Mapping[str, str], language: str = "en"
) -> str | None:
    """The customer-safe wording of a finding (None when no template of the verdict fits)."""
    if not spec.customer_safe:
        return None
    return render(spec.text, verdict, facts, language)


def _finding(
    spec: CheckSpec, ctx: CaseContext, verdict: Verdict, facts: dict[str, str], fallback: str
) -> Finding:
    observed = observed_text(spec, verdict, facts, ctx.intake.language, fallback)
    return Finding(verdict, observed, facts, customer_safe=spec.customer_safe)


def _verdict(value: Any, default: Verdict) -> Verdict:
    text = str(value or default)
    if text not in ("supports", "contradicts", "neutral"):
        raise ValueError(f"not a verdict a check can give when nothing is found: {text!r}")
    return text  # type: ignore[return-value]


def _param_hours(spec: CheckSpec, name: str, default: float | None) -> timedelta | None:
    value = spec.params.get(name, default)
    return timedelta(hours=float(value)) if value is not None else None


# --- reading ---------------------------------------------------------------------------------


async def window_rows(ctx: CaseContext, entity: str, since: datetime) -> list[Row]:
    """The tenant's rows of `entity` from `since` to the window's end (all of them when the
    entity has no time field: state tables)."""
    mapped = ctx.sources.entity(entity)
    if mapped is None or mapped.time_field is None:
        return await ctx.all_rows(entity)
    return await ctx.rows(entity, since)


async def global_rows_until(ctx: CaseContext, entity: str, until: datetime) -> list[Row]:
    """Rows of a global entity (incidents) that began before `until`, however long ago."""
    query = Query(entity, tenant=ctx.tenant_id, time_column=TIME, until=until)
    ctx.reads.append(query)
    return await ctx.sources.fetch(query)


def _member_rows(rows: Iterable[Row], member: Mapping[str, Any]) -> list[Row]:
    member_id, email = member.get("member_id"), member.get("email")
    out = []
    for row in rows:
        same_id = (
            member_id is not None and row.get("member_id") is not None and equal(row["member_id"], member_id)
        )
        if same_id or (email and row.get("email") and equal(row["email"], email)):
            out.append(row)
    return out


# --- rows_in_window --------------------------------------------------------------------------


@kind("rows_in_window")
async def rows_in_window(name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike) -> Finding:
    """Rows of the entity matching `match` in the window (from `lookback_hours` before its start):
    at least `min_count` support. Otherwise `absent` (contradicts by default) — unless
    `other_match` is given: then only rows of it (the action worked) contradict, else neutral."""
    params = spec.params
    refs = References.of(ctx, hypothesis)
    conditions = refs.conditions(params["match"])
    conditions.update(refs.conditions(params.get("about_ticket"), soft=True))
    other = refs.conditions(params["other_match"]) if params.get("other_match") is not None else None
    min_count = int(params.get("min_count", 1))
    since = ctx.window_start - (_param_hours(spec, "lookback_hours", 0) or timedelta())
    rows = await window_rows(ctx, _entity(spec), since)
    if params.get("member_only"):
        if not (ctx.subject.get("member_id") or ctx.subject.get("email")):
            raise MissingReference("member", "member_id")
        rows = _member_rows(rows, ctx.subject)
    found = by_time(select(rows, conditions))
    facts = row_facts(found, params.get("report"))
    facts.update(min_count=str(min_count), since=when(since), until=when(ctx.window_end))
    if member := ctx.subject.get("email") or ctx.subject.get("member_id"):
        facts["member"] = str(member)
    span = f"between {facts['since']} and {facts['until']}"
    if len(found) >= min_count:
        return _finding(
            spec, ctx, "supports", facts, f"{len(found)} matching rows of {_entity(spec)} {span}."
        )
    verdict = _verdict(params.get("absent"), "contradicts")
    fallback = f"{len(found)} matching rows of {_entity(spec)} {span} (at least {min_count} wanted)."
    if other is not None:
        worked = by_time(select(rows, other))
        if not worked:
            return _finding(spec, ctx, "neutral", facts, fallback + " No other outcome recorded either.")
        other_facts = row_facts(worked, params.get("report"))
        facts.update({f"other_{key}": value for key, value in other_facts.items()})
        fallback += f" {len(worked)} rows show the other outcome (last {other_facts.get('last_at', '?')})."
    return _finding(spec, ctx, verdict, facts, fallback)


# --- latest_state ----------------------------------------------------------------------------


@kind("latest_state")
async def latest_state(name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike) -> Finding:
    """The latest row matching `match` (as of the window's end): its `field` meeting `bad`
    supports, meeting `good` contradicts, anything else is neutral; no row gives `absent`
    (neutral by default). `bad`/`good` are conditions like a filter's."""
    params = spec.params
    refs = References.of(ctx, hypothesis)
    conditions = refs.conditions(params.get("match"))
    conditions.update(refs.conditions(params.get("about_ticket"), soft=True))
    field = str(params["field"])
    bad = refs.resolve(params["bad"]) if "bad" in params else None
    good = refs.resolve(params["good"]) if "good" in params else None
    lookback = _param_hours(spec, "lookback_hours", None)
    entity = _entity(spec)
    if lookback is not None:
        rows = await window_rows(ctx, entity, ctx.window_start - lookback)
    else:
        rows = await ctx.all_rows(entity)
    found = [
        row
        for row in select(rows, conditions)
        if (moment := row_time(row)) is None or moment <= ctx.window_end
    ]
    facts = row_facts(found, params.get("report"))
    facts["field"] = field
    row = latest(found)
    if row is None:
        verdict = _verdict(params.get("absent"), "neutral")
        return _finding(spec, ctx, verdict, facts, f"No row of {entity} matches {_describe(conditions)}.")
    value = field_value(row, field)
    if (text := fact_text(value)) is not None:
        facts["value"] = text
        facts.setdefault(field, text)
    if (moment := row_time(row)) is not None:
        facts["latest_at"] = when(moment)
    shown = f"{field} of the latest {entity} row ({_describe(conditions)}) is {text or 'empty'}"
    if bad is not None and value_matches(value, bad):
        return _finding(spec, ctx, "supports", facts, shown + ".")
    if good is not None and value_matches(value, good):
        return _finding(spec, ctx, "contradicts", facts, shown + ".")
    return _finding(
        spec, ctx, "neutral", facts, shown + ", neither the state the hypothesis needs nor its opposite."
    )


def _describe(conditions: Mapping[str, Any]) -> str:
    if not conditions:
        return "any"
    return ", ".join(
        f"{key}={_text(value) if not isinstance(value, Mapping) else json.dumps(value, default=str)}"
        for key, value in conditions.items()
    )


# --- change_before_errors --------------------------------------------------------------------


def names_meet(left: Any, right: Any) -> bool:
    """Whether two component names (or lists of them) name the same thing: case-insensitive,
    punctuation-blind, one inside the other."""
    lefts = [_name(item) for item in _listed(left) if item is not None]
    rights = [_name(item) for item in _listed(right) if item is not None]
    return any(a and b and (a in b or b in a) for a in lefts for b in rights)


def _name(value: Any) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(value).casefold()))


def on_component(
    errors: Iterable[Row], change: Row, change_component: str | None, error_component: str | None
) -> list[Row]:
    """The errors on the change's component; all of them when either field is not mapped."""
    if not (change_component and error_component):
        return list(errors)
    component = field_value(change, change_component)
    return [row for row in errors if names_meet(field_value(row, error_component), component)]


@dataclass(frozen=True)
class ChangeRun:
    """A change and the errors on its component from it to the window's end."""

    change: Row
    at: datetime
    after: list[Row]

    @property
    def onset(self) -> datetime:
        return row_time(self.after[0]) or self.at


def changes_before(
    errors: Sequence[Row],
    changes: Sequence[Row],
    *,
    within: timedelta,
    change_component: str | None,
    error_component: str | None,
) -> list[ChangeRun]:
    """Changes followed by errors on their component that began at most `within` after them,
    latest change first."""
    runs = []
    for change in changes:
        at = row_time(change)
        if at is None:
            continue
        mine = on_component(errors, change, change_component, error_component)
        after = by_time(between(mine, at, None))
        if after and (row_time(after[0]) or at) - at <= within:
            runs.append(ChangeRun(change, at, after))
    runs.sort(key=lambda run: run.at, reverse=True)
    return runs


def rose_after(
    after: int, after_span: timedelta, before: int, before_span: timedelta, *, ratio: float, min_count: int
) -> bool:
    """At least `min_count` after, at a rate at least `ratio` times the rate before."""
    if after < min_count:
        return False
    if before == 0:
        return True
    rate_after = after / max(hours(after_span), 1 / 60)
    rate_before = before / max(hours(before_span), 1 / 60)
    return rate_after >= ratio * rate_before


@kind("change_before_errors")
async def change_before_errors(
    name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike
) -> Finding:
    """A change (the check's entity: the platform's deploys or the tenant's own changes)
    matching `match` on the component of the errors (`errors` rows matching `error_match`
    from `lookback_hours` before the window), at most `within_hours` before they began:
    supports when at least `min_errors` followed, at `ratio` (3) times the rate of the span
    before the change (as long as after it, at most `baseline_hours`); contradicts when errors
    exist but no change preceded them, or they were as frequent before; neutral without errors."""
    params = spec.params
    refs = References.of(ctx, hypothesis)
    error_conditions = refs.conditions(params["error_match"])
    change_conditions = refs.conditions(params.get("match"))
    within = _param_hours(spec, "within_hours", 24) or timedelta(hours=24)
    lookback = _param_hours(spec, "lookback_hours", 24) or timedelta()
    baseline = _param_hours(spec, "baseline_hours", 24) or timedelta(hours=24)
    ratio = float(params.get("ratio", 3))
    min_errors = int(params.get("min_errors", 2))
    change_field: str | None = params.get("component_field")
    error_field: str | None = params.get("error_component_field")
    errors_entity, changes_entity = str(params["errors"]), _entity(spec)
    read_from = ctx.window_start - lookback
    errors = by_time(select(await window_rows(ctx, errors_entity, read_from), error_conditions))
    facts: dict[str, str] = {"count": "0", "since": when(read_from)}
    if not errors:
        return _finding(spec, ctx, "neutral", facts, f"No matching {errors_entity} since {when(read_from)}.")
    first = row_time(errors[0]) or read_from
    facts.update(first_error_at=when(first), error_count=str(len(errors)), count=str(len(errors)))
    if error_field:
        named = {_text(field_value(row, error_field)) for row in errors} - {""}
        if named:
            facts["components"] = ", ".join(sorted(named))
    anywhere = not (change_field and error_field)
    note = " (no component field is mapped: a change anywhere counts)" if anywhere else ""
    if anywhere:
        facts["component_note"] = "a change anywhere counts"
    changes = select(await window_rows(ctx, changes_entity, read_from - within), change_conditions)
    runs = changes_before(
        errors, changes, within=within, change_component=change_field, error_component=error_field
    )
    if not runs:
        on = f" on {facts['components']}" if "components" in facts else ""
        return _finding(
            spec,
            ctx,
            "contradicts",
            facts,
            f"{len(errors)} matching {errors_entity} since {when(first)}; no {changes_entity} row{on} in the "
            f"{hours(within):g} h before they began{note}.",
        )
    tried: list[tuple[dict[str, str], str]] = []
    for run in runs:
        span = min(ctx.window_end - run.at, baseline)
        start = run.at - span
        pool = errors
        if start < read_from:
            pool = select(await window_rows(ctx, errors_entity, start), error_conditions)
        before = len(between(on_component(pool, run.change, change_field, error_field), start, run.at))
        after = len(run.after)
        reported = row_facts([run.change], params.get("report"))
        run_facts = {
            **facts,
            **{key: value for key, value in reported.items() if key not in ("count", "first_at", "last_at")},
            **row_facts(run.after),
            "change_at": when(run.at),
            "first_error_at": when(run.onset),
            "minutes_after": str(int((run.onset - run.at).total_seconds() // 60)),
            "errors_after": str(after),
            "errors_before": str(before),
            "before_hours": f"{hours(span):g}",
            "count": str(after),
        }
        if change_field and (component := fact_text(field_value(run.change, change_field))):
            run_facts["component"] = component
        label = run_facts.get("component", f"a {changes_entity} row")
        said = (
            f"{label} changed at {run_facts['change_at']}; {after} matching {errors_entity} followed, the "
            f"first {run_facts['minutes_after']} min later; {before} in the {run_facts['before_hours']} h before"
        )
        if rose_after(after, ctx.window_end - run.at, before, span, ratio=ratio, min_count=min_errors):
            return _finding(spec, ctx, "supports", run_facts, f"{said}{note}.")
        tried.append((run_facts, said))
    return _finding(
        spec,
        ctx,
        "contradicts",
        tried[0][0],
        "The errors did not rise after the changes that preceded them: "
        + "; ".join(s for _, s in tried)
        + f"{note}.",
    )


# --- error_rate_rise -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rise:
    count: int
    baseline_count: int
    window: timedelta
    baseline: timedelta

    @property
    def rate(self) -> float:
        return self.count / max(hours(self.window), 1 / 60)

    @property
    def baseline_rate(self) -> float:
        return self.baseline_count / max(hours(self.baseline), 1 / 60)

    @property
    def ratio(self) -> float | None:
        return self.rate / self.baseline_rate if self.baseline_count else None

    def rose(self, ratio: float, min_count: int) -> bool:
        return rose_after(
            self.count, self.window, self.baseline_count, self.baseline, ratio=ratio, min_count=min_count
        )


@kind("error_rate_rise")
async def error_rate_rise(
    name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike
) -> Finding:
    """Rows matching `match` in the window against the span before it (`baseline_hours`, the
    window's length by default): supports when at least `min_count` (3) at `ratio` (3) times the
    baseline's rate per hour; contradicts otherwise; neutral when the entity has no rows at all
    in either span (nothing to compare)."""
    params = spec.params
    refs = References.of(ctx, hypothesis)
    conditions = refs.conditions(params["match"])
    length = max(ctx.window_end - ctx.window_start, timedelta(hours=1))
    baseline = _param_hours(spec, "baseline_hours", None) or length
    ratio, min_count = float(params.get("ratio", 3)), int(params.get("min_count", 3))
    start = ctx.window_start - baseline
    rows = await window_rows(ctx, _entity(spec), start)
    in_window = by_time(between(rows, ctx.window_start, None))
    in_baseline = between(rows, start, ctx.window_start)
    hits, base_hits = select(in_window, conditions), select(in_baseline, conditions)
    rise = Rise(len(hits), len(base_hits), ctx.window_end - ctx.window_start, baseline)
    facts = row_facts(hits, params.get("report"))
    facts.update(
        baseline_count=str(rise.baseline_count),
        baseline_hours=f"{hours(baseline):g}",
        rate_per_hour=f"{rise.rate:.1f}",
        baseline_per_hour=f"{rise.baseline_rate:.1f}",
    )
    if rise.ratio is not None:
        facts["ratio"] = f"{rise.ratio:.1f}"
    said = (
        f"{rise.count} matching {_entity(spec)} rows in the window ({facts['rate_per_hour']}/h) against "
        f"{rise.baseline_count} in the {facts['baseline_hours']} h before ({facts['baseline_per_hour']}/h)"
    )
    if rise.rose(ratio, min_count):
        return _finding(spec, ctx, "supports", facts, said + ".")
    if not in_window and not in_baseline:
        return _finding(spec, ctx, "neutral", facts, f"No {_entity(spec)} rows in the window or before it.")
    return _finding(spec, ctx, "contradicts", facts, f"{said}: no rise of {ratio:g}×.")


# --- incident_overlap ------------------------------------------------------------------------

RESOLVED_STATUSES = frozenset({"resolved", "completed", "postmortem", "closed"})


def overlapping(
    incidents: Iterable[Row], start: datetime, end: datetime, *, resolved_field: str = "resolved_at"
) -> list[Row]:
    """Incidents that began by `end` and were not resolved before `start`."""
    out = []
    for row in incidents:
        began = row_time(row, "started_at") or row_time(row)
        if began is None or began > end:
            continue
        resolved = row_time(row, resolved_field)
        if resolved is not None and resolved < start:
            continue
        out.append(row)
    return out


def incident_components(row: Mapping[str, Any], field: str = "components") -> list[str]:
    value = field_value(row, field)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    out = []
    for item in _listed(value) if value is not None else ():
        out.append(str(item.get("name")) if isinstance(item, Mapping) else str(item))
    return out


def on_names(
    incidents: Iterable[Row], names: Iterable[str], field: str = "components", *, titles: bool = False
) -> list[Row]:
    """Incidents on one of `names` (by their components; by their titles too when `titles`)."""
    wanted = [name for name in names if name]
    out = []
    for row in incidents:
        named = incident_components(row, field)
        if titles:
            named.append(_incident_title(row))
        if names_meet(named, wanted):
            out.append(row)
    return out


def _incident_title(row: Mapping[str, Any]) -> str:
    return _text(row.get("title") or row.get("name"))


def _resolved(row: Mapping[str, Any], resolved_field: str, status_field: str) -> bool:
    return (
        row_time(row, resolved_field) is not None
        or str(row.get(status_field) or "").casefold() in RESOLVED_STATUSES
    )


def _wanted_names(spec: CheckSpec, ctx: CaseContext) -> tuple[list[str], str | None]:
    """The component names an incident must be on (empty: any), and the provider when the
    check is about third parties."""
    params = spec.params
    names = params.get("component_names")
    third_party = params.get("third_party")
    if third_party:
        if isinstance(third_party, list | tuple):
            providers = [str(p) for p in third_party]
            named = [p for p in providers if ctx.signals.mentions(p)]
            chosen = named or providers
        else:
            chosen = sorted(ctx.signals.integrations)
            if not chosen:
                raise MissingReference("ticket", "integrations")
        expanded = [n for p in chosen for n in (p, *_aliases(names, p))]
        return expanded, ", ".join(chosen)
    wanted: list[str] = []
    for component in sorted(ctx.signals.components):
        wanted += [component, *_aliases(names, component)]
    if isinstance(names, list | tuple):
        wanted += [str(n) for n in names]
    return wanted, None


def _aliases(names: Any, component: str) -> list[str]:
    if not isinstance(names, Mapping):
        return []
    for key, value in names.items():
        if str(key).casefold() == component.casefold():
            return [str(v) for v in _listed(value)]
    return []


@kind("incident_overlap")
async def incident_overlap(
    name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike
) -> Finding:
    """An incident overlapping the case window (began by its end, not resolved before its start)
    on the ticket's components — or their names on the status page (`component_names`:
    {component: [names]}, or a list of names always looked for), or the third parties
    (`third_party`: the providers, or true for the integrations the ticket names) — supports;
    none contradicts. Names are looked for in the incident's title too when `match_title`
    (the default for third parties: status pages name providers in titles, not components).
    Without any name to look for, any overlapping incident counts. The incident is told as it
    stood when the ticket arrived (`incident_as_of`); one begun later is not known."""
    params = spec.params
    components_field = str(params.get("components_field", "components"))
    resolved_field = str(params.get("resolved_field", "resolved_at"))
    status_field = str(params.get("status_field", "status"))
    wanted, provider = _wanted_names(spec, ctx)
    known_by = ctx.known_by()
    rows = [
        incident_as_of(row, ctx.as_of, resolved_field, status_field)
        for row in await global_rows_until(ctx, _entity(spec), known_by)
    ]
    active = overlapping(rows, ctx.window_start, known_by, resolved_field=resolved_field)
    titles = bool(params.get("match_title", bool(provider)))
    matching = on_names(active, wanted, components_field, titles=titles) if wanted else active
    scope = ", ".join(dict.fromkeys(wanted)) or "any component"
    facts = {"scope": scope, "window_start": when(ctx.window_start), "window_end": when(ctx.window_end)}
    if provider:
        facts["provider"] = provider
    if not matching:
        return _finding(
            spec,
            ctx,
            "contradicts",
            facts,
            f"No incident on {scope} overlaps {facts['window_start']} – {facts['window_end']}.",
        )
    ordered = sorted(
        matching,
        key=lambda row: (
            not _resolved(row, resolved_field, status_field),
            row_time(row, "started_at") or row_time(row) or datetime.min,
        ),
    )
    incident = ordered[-1]
    resolved = _resolved(incident, resolved_field, status_field)
    started = row_time(incident, "started_at") or row_time(incident)
    facts.update(
        incident_id=_text(incident.get("incident_id") or incident.get("id")),
        title=_incident_title(incident),
        status=_text(incident.get(status_field)) or ("resolved" if resolved else "open"),
        started_at=when(started),
        resolved="yes" if resolved else "no",
        components=", ".join(incident_components(incident, components_field)),
        count=str(len(matching)),
    )
    if (ended := row_time(incident, resolved_field)) is not None:
        facts["resolved_at"] = when(ended)
    if message := fact_text(incident.get("public_message")):
        facts["public_message"] = message
    facts = {key: value for key, value in facts.items() if value}
    state = f"resolved {facts.get('resolved_at', '')}".strip() if resolved else "still open"
    return _finding(
        spec,
        ctx,
        "supports",
        facts,
        f"Incident {facts.get('incident_id', '?')} '{facts.get('title', '')}' on {facts.get('components', '?')} since "
        f"{facts['started_at']} ({state}) overlaps the window.",
    )


# --- documented_behaviour --------------------------------------------------------------------

# Words too common to say two texts are about the same thing (stemmed like the ticket's).
STOPWORDS = frozenset(
    stems_of(
        "a an the and or but if then than so to of in on at by for from with without into onto "
        "is are was were be been being am do does did done have has had having not no yes "
        "i me my we our you your they them their it its this that these those there here "
        "what when where which who why how can could would should will shall may might must "
        "get got just also only any all some more most very too up out about after before "
        "over under again please thank thanks hi hello team support issue problem help"
    )
)
_BOUND = re.compile(
    r"\b(\d+(?:[.,]\d+)?)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)


def shared_words(row: Mapping[str, Any], fields: Sequence[str], stems: frozenset[str]) -> frozenset[str]:
    text = " ".join(_text(field_value(row, field)) for field in fields)
    return (stems_of(text) & stems) - STOPWORDS


def best_behaviour(
    rows: Iterable[Row], stems: frozenset[str], *, fields: Sequence[str], title_field: str, min_overlap: int
) -> tuple[Row, frozenset[str]] | None:
    """The documented behaviour sharing the most words with the ticket (title words break
    ties), if it shares at least `min_overlap`."""
    best: tuple[int, int, Row, frozenset[str]] | None = None
    for row in rows:
        shared = shared_words(row, fields, stems)
        if len(shared) < min_overlap:
            continue
        titled = len(shared_words(row, [title_field], stems))
        if best is None or (len(shared), titled) > (best[0], best[1]):
            best = (len(shared), titled, row, shared)
    return (best[2], best[3]) if best else None


def bound_of(text: str) -> str | None:
    """The first number with a time unit ("14 days", "15 minutes") of a documented text."""
    found = _BOUND.search(text)
    return f"{found.group(1)} {found.group(2)}" if found else None


def excerpt(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + " …"


@kind("documented_behaviour")
async def documented_behaviour(
    name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike
) -> Finding:
    """The documented behaviour (help article, known limit) matching `match` whose title and
    `text_fields` share the most words with the ticket, at least `min_overlap` (2): supports
    with its title, text and the bound it states (`{bound}`: "14 days"); neutral when none
    does. `match: {behaviour_id: "{hypothesis.documented}"}` holds each hypothesis to its own
    article."""
    params = spec.params
    title_field = str(params.get("title_field", "title"))
    text_fields = [str(f) for f in _listed(params.get("text_fields", ["text", "body"]))]
    min_overlap = int(params.get("min_overlap", 2))
    entity = _entity(spec)
    conditions = References.of(ctx, hypothesis).conditions(params.get("match"))
    rows = await ctx.behaviours() if entity == "behaviours" else await ctx.all_rows(entity)
    rows = select(rows, conditions)
    found = best_behaviour(
        rows,
        ctx.signals.stems,
        fields=[title_field, *text_fields],
        title_field=title_field,
        min_overlap=min_overlap,
    )
    if found is None:
        return _finding(
            spec,
            ctx,
            "neutral",
            {"count": str(len(rows))},
            f"No documented behaviour of {len(rows)} matches the ticket's words.",
        )
    row, shared = found
    body = " ".join(_text(field_value(row, field)) for field in text_fields).strip()
    facts = {
        "title": _text(field_value(row, title_field)),
        "text": excerpt(body),
        "shared_words": ", ".join(sorted(shared)),
    }
    if ident := fact_text(row.get("behaviour_id") or row.get("id")):
        facts["behaviour_id"] = ident
    if bound := bound_of(f"{facts['title']} {body}"):
        facts["bound"] = bound
    facts = {key: value for key, value in facts.items() if value}
    return _finding(
        spec,
        ctx,
        "supports",
        facts,
        f"Documented behaviour '{facts.get('title', '?')}' matches the ticket ({facts['shared_words']}).",
    )
