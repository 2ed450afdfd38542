"""A test that needs a system program (Prometheus) is skipped with its reason on a machine
without it, and fails the run in CI, which installs it. Run as a real pytest session on
`test_prometheus.py` with an empty PATH, so the program is surely absent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNUSED_BROKER = "127.0.0.1:9"  # never reached: the check runs before any fixture


def run_prometheus_test(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env |= {"PATH": str(tmp_path), "KAFKA_BOOTSTRAP_SERVERS": UNUSED_BROKER}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/integration/test_prometheus.py",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_prometheus_the_test_is_skipped_with_its_reason(tmp_path: Path) -> None:
    result = run_prometheus_test(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "prometheus is not installed" in result.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_a_missing_prometheus_fails_the_run(tmp_path: Path, ci: str) -> None:
    result = run_prometheus_test(tmp_path, ci=ci)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "skipped" not in result.stdout
    assert "CI must run this test, not skip it" in result.stdout
