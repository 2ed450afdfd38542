"""`supportflow eval` on a pack it has never seen: generated here with a fresh seed."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from domains.lumen.world.generator import generate_pack

REQUIRED_KEYS = {
    "tickets",
    "completed",
    "lost",
    "dead_lettered",
    "identifier_precision",
    "identifier_recall",
    "missing_identifier_accuracy",
    "problem_statement_p95_s",
    "first_evidence_p50_s",
    "first_evidence_p95_s",
    "evidence_completeness",
    "checks_per_ticket",
    "decision_accuracy",
    "misroute_rate",
    "answer_point_coverage",
    "forbidden_leaks",
    "claims_grounded_ratio",
    "reply_contradictions",
    "pattern_reuse",
    "per_class",
    "per_family",
}


def test_eval_scores_a_freshly_generated_pack(kafka_bootstrap: str, tmp_path: Path) -> None:
    seed = random.Random().randrange(10_000, 99_999)
    pack = tmp_path / f"pack{seed}"
    generate_pack(seed, 40, pack)
    report_path = tmp_path / "eval.json"
    env = dict(os.environ) | {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SUPPORTFLOW_STATE_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "supportflow", "eval", str(pack), "--json", str(report_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    report = json.loads(report_path.read_text())
    print(
        f"seed {seed}: "
        + json.dumps({k: report[k] for k in sorted(REQUIRED_KEYS) if not isinstance(report[k], dict)})
    )
    assert report.keys() >= REQUIRED_KEYS
    assert report["tickets"] == 40 and report["lost"] == 0
    assert report["reply_contradictions"] == 0, report["contradicting"]
    assert report["completed"] + report["dead_lettered"] == 40
    assert 0.0 <= report["decision_accuracy"] <= 1.0
    assert sum(row["tickets"] for row in report["per_class"].values()) == report["completed"]
