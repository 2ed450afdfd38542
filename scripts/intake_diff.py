"""Run normalize() in-process over a pack's tickets and diff identifiers and missing flags with truth.

usage: python scripts/intake_diff.py PACK [--field FIELD] [--show N]
"""

from __future__ import annotations

import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

import argparse
from collections import Counter, defaultdict
from pathlib import Path

from domains.lumen.world.conventions import IDENTIFIER_FIELDS, MISSING_FIELDS
from services.intake.normalize import normalize
from supportflow.evaluation.scoring import identifier_counts, missing_matches
from supportflow.world import read_tickets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack", type=Path)
    parser.add_argument("--field", default=None)
    parser.add_argument("--show", type=int, default=3)
    parser.add_argument("--text", action="store_true", help="print ticket text for shown cases")
    args = parser.parse_args()
    items = read_tickets(args.pack)
    tp = fp = fn = right = 0
    per: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for item in items:
        ticket, truth = item.ticket, item.truth
        section = normalize(ticket)
        a, b, c = identifier_counts(section.identifiers, truth.identifiers)
        tp, fp, fn = tp + a, fp + b, fn + c
        right += missing_matches(section.missing, truth.missing)
        text = f"SUBJECT: {ticket.subject}\n{ticket.body}"
        for m in ticket.thread:
            text += f"\n--- thread {m.author}\n{m.body}"
        for field in IDENTIFIER_FIELDS:
            t, p = truth.identifiers.get(field), section.identifiers.get(field)
            if t is not None and p is not None and t.lower() == p.lower():
                per[field]["tp"] += 1
                continue
            if p is not None:
                per[field]["fp"] += 1
            if t is not None:
                per[field]["fn"] += 1
            if p is not None or t is not None:
                examples[field].append(
                    f"{ticket.ticket_id} [{truth.family}/{truth.language}] truth={t} got={p}"
                    + (f"\n{text}\n" if args.text else "")
                )
        for field in MISSING_FIELDS:
            got, want = field in section.missing, field in truth.missing
            if got != want:
                per["missing:" + field]["fp" if got else "fn"] += 1
                examples["missing:" + field].append(
                    f"{ticket.ticket_id} [{truth.family}/{truth.language}] flagged={got} truth={want}"
                    + (f"\n{text}\n" if args.text else "")
                )
    print(
        f"precision {tp / max(tp + fp, 1):.3f} recall {tp / max(tp + fn, 1):.3f} "
        f"missing {right / (len(items) * len(MISSING_FIELDS)):.3f}"
    )
    for field, counts in sorted(per.items()):
        print(f"  {field:24} tp={counts['tp']:4} fp={counts['fp']:4} fn={counts['fn']:4}")
    for field, rows in sorted(examples.items()):
        if args.field and field != args.field:
            continue
        print(f"== {field}")
        for row in rows[: args.show]:
            print("  " + row)


if __name__ == "__main__":
    main()
