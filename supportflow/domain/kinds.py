"""The generic check kinds a domain's checks are instances of, and the params each takes.

Implementations live with the investigator (`services/investigator/kinds.py`); this table is
what the domain loader validates a `checks:` entry against, so a misspelt param fails at start.

Values in `match` filters: a scalar (equality), a list (any of), or an operator mapping
`{gte: 500}`, `{lt: 300}`, `{in: [...]}`, `{not_in: [...]}`, `{contains: "text"}`,
`{matches: "regex"}`; a string may name what the ticket gave: `{ticket.api_key_prefix}`,
`{member.email}`, `{member.member_id}`.
"""

from __future__ import annotations

# kind -> (required params, optional params)
KIND_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # Rows of the entity matching `match` in the case window (or `lookback_hours` before it):
    # at least `min_count` support; none contradicts when `absent` is contradicts.
    "rows_in_window": (
        frozenset({"match"}),
        frozenset(
            {"min_count", "lookback_hours", "absent", "member_only", "report", "about_ticket", "other_match"}
        ),
    ),
    # The latest row matching `match` (e.g. the key the ticket names): its `field` in `bad`
    # supports, in `good` contradicts.
    "latest_state": (
        frozenset({"field"}),
        frozenset({"match", "bad", "good", "lookback_hours", "report", "absent"}),
    ),
    # A change or deploy on the component of the account's errors, shortly before they began.
    "change_before_errors": (
        frozenset({"errors", "error_match"}),
        frozenset(
            {
                "within_hours",
                "lookback_hours",
                "match",
                "component_field",
                "error_component_field",
                "min_errors",
            }
        ),
    ),
    # Errors matching `match` rose over the baseline before the window by `ratio`.
    "error_rate_rise": (
        frozenset({"match"}),
        frozenset({"baseline_hours", "ratio", "min_count", "report"}),
    ),
    # An incident overlapping the window on the ticket's component (or any when none is known).
    "incident_overlap": (
        frozenset(),
        frozenset({"components_field", "resolved_field", "status_field", "component_names", "third_party"}),
    ),
    # A documented behaviour whose text matches the ticket's words.
    "documented_behaviour": (
        frozenset(),
        frozenset({"text_fields", "min_overlap", "title_field"}),
    ),
    # The adopter's own Python (see `code_checks`).
    "code": (frozenset(), frozenset()),
}
