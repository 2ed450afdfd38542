"""Python 3.11–3.13 are supported, and `.ci/run` finds the newest one the machine has."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[2]


def requires_python() -> SpecifierSet:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return SpecifierSet(project["requires-python"])


def test_python_3_11_to_3_13_may_install_it() -> None:
    accepted = requires_python()
    assert all(f"3.{minor}.0" in accepted for minor in (11, 12, 13))
    assert "3.10.0" not in accepted


def test_ci_runs_again_on_the_newest_python_that_requires_python_accepts() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    function = re.search(r"^newest_python\(\) \{.*?^\}$", script, re.S | re.M)
    assert function is not None
    found = subprocess.run(
        ["bash", "-c", f"{function.group(0)}\nnewest_python"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    version = subprocess.run(
        [found, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    assert version in requires_python()
    assert tuple(int(n) for n in version.split(".")[:2]) >= sys.version_info[:2]
    assert "supportflow demo" in script[script.index("newest=$(newest_python)") :]
