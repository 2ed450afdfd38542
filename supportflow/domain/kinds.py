"""The generic check kinds a domain's checks are instances of, and the params each takes.

Implementations live with the investigator (`services/investigator/kinds.py`); this table is
what the domain loader validates a `checks:` entry against, so a misspelt param fails at start.

Filters (`match`, `error_match`, `other_match`, `about_ticket`, and `bad`/`good` for one value)
map a field to a condition: a scalar (equality), a list (any of), or an operator mapping
`{gte: 500}`, `{gt: …}`, `{lte: …}`, `{lt: 300}`, `{in: [...]}`, `{not_in: [...]}`,
`{contains: "text"}`, `{matches: "regex"}`, `{eq: …}`, `{ne: …}`, `{exists: true}`; the key
`any_of` holds a list of filters one of which must hold. Text
compares case-insensitively, numbers as numbers, times as times; a list value (a row's
components) meets a condition when one of its items does. Fields are the entity's logical
fields (any column works; `column$.json.path` reads inside a JSON column).

A string may name what the case knows: `{ticket.<identifier kind>}` (and the families
`{ticket.error_codes}`, `{ticket.statuses}`, `{ticket.components}`, `{ticket.integrations}`),
`{member.<field>}` (the member the ticket is about), `{requester.<field>}`,
`{hypothesis.<attribute>}` (or `{hypothesis.cause}`), `{window.start}`, `{window.end}`,
`{tenant.id}`. A check whose filter names a value the case lacks is neutral ("the ticket names
no …"); under `about_ticket` such a condition is dropped instead.

Every finding has facts its text templates may name: `count`, `first_at`, `last_at` (times as
"2026-11-20 14:05 UTC") and, per field listed in `report` (a list, or {fact: field}), the
latest row's value `{field}` and the most frequent values `{field}_values`; each kind adds its
own (see its docstring in the investigator).
"""

from __future__ import annotations

# kind -> (required params, optional params)
KIND_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # Rows of the entity matching `match` (and `about_ticket`, when the ticket gives the values)
    # in the case window, or from `lookback_hours` before it; `member_only`: the ticket's member's
    # rows only. At least `min_count` (1) support; fewer give `absent` (contradicts) — but with
    # `other_match`, only when rows of it exist (the action worked); neutral otherwise.
    "rows_in_window": (
        frozenset({"match"}),
        frozenset(
            {"min_count", "lookback_hours", "absent", "member_only", "report", "about_ticket", "other_match"}
        ),
    ),
    # The latest row matching `match` (and `about_ticket`, when the ticket gives the values) as of
    # the window's end, among all rows or those from `lookback_hours` before the window: its
    # `field` meeting `bad` supports, meeting `good` contradicts, anything else is neutral; no
    # row gives `absent` (neutral).
    "latest_state": (
        frozenset({"field"}),
        frozenset({"match", "about_ticket", "bad", "good", "lookback_hours", "report", "absent"}),
    ),
    # A change or deploy (the check's entity) matching `match` on the component of the tenant's
    # errors (entity `errors`, rows matching `error_match` from `lookback_hours` (24) before the
    # window), at most `within_hours` (24) before they began: supports when `min_errors` (2) or
    # more followed at `ratio` (3) times the rate of the span before (at most `baseline_hours`,
    # 24). Without `component_field` (on the change) and `error_component_field` (on the errors)
    # any change counts.
    "change_before_errors": (
        frozenset({"errors", "error_match"}),
        frozenset(
            {
                "within_hours",
                "lookback_hours",
                "baseline_hours",
                "match",
                "component_field",
                "error_component_field",
                "min_errors",
                "ratio",
                "report",
            }
        ),
    ),
    # Rows matching `match` in the window against the span before it (`baseline_hours`, the
    # window's length by default): `min_count` (3) or more at `ratio` (3) times the baseline's
    # hourly rate support.
    "error_rate_rise": (
        frozenset({"match"}),
        frozenset({"baseline_hours", "ratio", "min_count", "report"}),
    ),
    # An incident overlapping the window on the ticket's components, or their names on the
    # status page (`component_names`: {component: [names]} or a list), or on third parties
    # (`third_party`: a list of providers, or true for the integrations the ticket names);
    # `match_title`: look for the names in the incident's title too (default for third parties);
    # any overlapping incident when no name is known.
    "incident_overlap": (
        frozenset(),
        frozenset(
            {
                "components_field",
                "resolved_field",
                "status_field",
                "component_names",
                "third_party",
                "match_title",
            }
        ),
    ),
    # A documented behaviour (matching `match`, e.g. the hypothesis's own article) whose title
    # and `text_fields` share `min_overlap` (2) words with the ticket.
    "documented_behaviour": (
        frozenset(),
        frozenset({"match", "text_fields", "min_overlap", "title_field"}),
    ),
    # The adopter's own Python (see `code_checks`).
    "code": (frozenset(), frozenset()),
}

# The entity a kind reads when a check names none; kinds not listed need `entity`.
DEFAULT_ENTITY: dict[str, str] = {"incident_overlap": "incidents", "documented_behaviour": "behaviours"}
# Params that name another entity of the data model.
ENTITY_PARAMS: dict[str, tuple[str, ...]] = {"change_before_errors": ("errors",)}
