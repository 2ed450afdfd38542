"""The README's main command, `supportflow demo`, runs end to end on the real broker."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from supportflow.fleet import free_port_block


def test_demo_runs_tickets_through_and_prints_case_files(kafka_bootstrap: str, tmp_path: Path) -> None:
    env = dict(os.environ)
    env |= {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SUPPORTFLOW_NAMESPACE": f"demo{uuid.uuid4().hex[:6]}.",
        "SUPPORTFLOW_WEB_PORT_BASE": str(free_port_block()),
        "SUPPORTFLOW_STATE_DIR": str(tmp_path / "state"),
        "COLUMNS": "120",
    }
    done = subprocess.run(
        [sys.executable, "-m", "supportflow", "demo", "--tickets", "8", "--show", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "drafted reply" in output
    assert "decision" in output
    assert "lost" in output
    assert "supportflow console serve --demo-agents" in output and ":6080/" in output
    assert "stays running" in output  # what it leaves running, and how to stop it
