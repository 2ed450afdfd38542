"""The eval report as a table grouped by the seed's layers (DESIGN.md §3)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

LAYERS: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("Intake", [
        ("primary", "time to clear problem statement p95 (s)", "problem_statement_p95_s"),
        ("secondary", "missing-identifier accuracy", "missing_identifier_accuracy"),
        ("", "identifier precision", "identifier_precision"),
        ("", "identifier recall", "identifier_recall"),
    ]),
    ("Investigation", [
        ("primary", "time to first evidence p50 (s)", "first_evidence_p50_s"),
        ("primary", "time to first evidence p95 (s)", "first_evidence_p95_s"),
        ("secondary", "evidence completeness", "evidence_completeness"),
        ("", "checks per ticket", "checks_per_ticket"),
        ("", "source checks per ticket (without the similar-case lookup)", "source_checks_per_ticket"),
        ("", "checks run / checks possible", "checks_ratio"),
    ]),
    ("Decisioning", [
        ("primary", "misroute rate", "misroute_rate"),
        ("", "decision accuracy", "decision_accuracy"),
    ]),
    ("Response drafting", [
        ("", "answer-point coverage", "answer_point_coverage"),
        ("failure", "forbidden leaks (must be 0)", "forbidden_leaks"),
        ("", "claims citing evidence", "claims_grounded_ratio"),
        ("failure", "reply contradictions (must be 0)", "reply_contradictions"),
    ]),
    ("Learning", [
        ("primary", "pattern reuse (share of cases)", "pattern_reuse"),
    ]),
    ("Accounting", [
        ("", "tickets sent", "tickets"),
        ("", "cases completed", "completed"),
        ("", "dead-lettered", "dead_lettered"),
        ("failure", "lost", "lost"),
        ("", "duplicates", "duplicates"),
        ("", "tickets/s through the pipeline", "tickets_per_s"),
    ]),
]  # fmt: skip


def shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def print_report(report: dict[str, Any], console: Console) -> None:
    table = Table(title=f"supportflow eval — {report.get('pack', '')}", show_lines=False)
    table.add_column("layer")
    table.add_column("seed metric")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for layer, rows in LAYERS:
        for i, (kind, label, key) in enumerate(rows):
            table.add_row(
                layer if i == 0 else "", kind, label, shown(report.get(key)), end_section=i == len(rows) - 1
            )
    console.print(table)

    classes = Table(title="per class")
    for column in ("class", "tickets", "accuracy", "misroute", "completeness", "checks", "coverage", "leaks"):
        classes.add_column(column, justify="right" if column != "class" else "left")
    for name, row in report.get("per_class", {}).items():
        classes.add_row(
            name,
            shown(row["tickets"]),
            shown(row["decision_accuracy"]),
            shown(row["misroute_rate"]),
            shown(row["evidence_completeness"]),
            shown(row["checks_per_ticket"]),
            shown(row["answer_point_coverage"]),
            shown(row["forbidden_leaks"]),
        )
    console.print(classes)
    learning = report.get("learning")
    if learning:
        lessons = Table(title="learning")
        lessons.add_column("figure")
        lessons.add_column("value", justify="right")
        for key, value in learning.items():
            lessons.add_row(key, shown(value))
        console.print(lessons)
