"""`supportflow playbooks suggest` on the real broker: learned paths with enough support, read from
the compacted `support.paths` topic, become a YAML proposal that `supportflow domain check`
accepts once pasted into the domain folder."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from domains import DEFAULT_DOMAIN
from services.investigator import load_playbooks
from supportflow.domain import load_domain
from supportflow.evaluation.holdout import dump_yaml, held_out_folder
from supportflow.events import LearnedPath, SettlingEvidence, utcnow
from supportflow.settings import Settings
from supportflow.topics import LEARNED_PATHS
from supportflow.traffic import publish_records

REPO = Path(__file__).resolve().parents[2]
CAUSE = "feature_flag_off"


def learned(path_id: str, cause: str, support: int, check: str) -> LearnedPath:
    return LearnedPath(
        path_id=path_id,
        signature="dashboard export button missing feature enable",
        problem_type="dashboard",
        features={"problem_type": "dashboard", "surface": "ui"},
        decision_class="configuration_issue",
        cause=cause,
        title="the feature is not enabled for the account",
        route_queue="l1-config",
        checks=[SettlingEvidence(check=check, source="sql", verdict="supports")],
        answer="Hi {{requester_name}},\n\nThe feature is switched off for {{tenant}}; an admin can ask us to "
        "enable it.\n\nBest regards,\nLumen Support",
        support=support,
        ticket_ids=[f"T-{path_id}-{i}" for i in range(support)],
        updated_at=utcnow(),
    )


def supportflow(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "SUPPORTFLOW_NAMESPACE": settings.namespace,
    }
    return subprocess.run(
        [sys.executable, "-m", "supportflow", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def paste(folder: Path, proposal: dict[str, Any]) -> None:
    """What a reviewer does: each section of the proposal into the file and key it names."""

    def update(file: Path, edit: Any) -> None:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        edit(raw)
        file.write_text(dump_yaml(raw), encoding="utf-8")

    def playbooks(raw: dict[str, Any]) -> None:
        raw["hypotheses"].update(proposal["hypotheses"])
        for name, spec in proposal["playbooks"].items():
            raw["playbooks"][name]["hypotheses"] = spec["hypotheses"]

    def routing(raw: dict[str, Any]) -> None:
        raw["routing"].setdefault("causes", {}).update(proposal["routing"]["causes"])

    def replies(raw: dict[str, Any]) -> None:
        raw["causes"].update(proposal["causes"])
        raw["next"].update(proposal["next"])

    update(folder / "playbooks.yaml", playbooks)
    update(folder / "domain.yaml", routing)
    update(folder / "replies.yaml", replies)


def test_suggest_proposes_supported_paths_that_domain_check_accepts(
    isolated_settings: Settings, world_db: str, tmp_path: Path
) -> None:
    folder = held_out_folder(DEFAULT_DOMAIN, CAUSE, tmp_path)
    asyncio.run(
        publish_records(
            isolated_settings,
            LEARNED_PATHS,
            (
                (path.path_id, path)
                for path in [
                    learned("lp-old", CAUSE, 2, "account.feature_flags"),
                    learned("lp-old", CAUSE, 4, "account.feature_flags"),  # the newest version counts
                    learned("lp-rare", "seen_once", 1, "events.rejected_actions"),
                ]
            ),
        )
    )
    run = supportflow(
        isolated_settings, "playbooks", "suggest", "--min-support", "3", "--domain", str(folder)
    )
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert "# learned path lp-old, support 4: cases T-lp-old-0, T-lp-old-1, T-lp-old-2, T-lp-old-3" in text
    assert "seen_once" not in text, "a path below --min-support is not proposed"
    proposal = yaml.safe_load(text)
    spec = proposal["hypotheses"][CAUSE]
    assert (spec["class"], spec["confirm"], spec["checks"]) == (
        "configuration_issue",
        "all",
        ["account.feature_flags"],
    )
    assert proposal["routing"]["causes"][CAUSE]["queue"] == "l1-config"
    assert proposal["playbooks"]["dashboard"]["hypotheses"].count(CAUSE) == 1
    assert (
        proposal["next"][CAUSE]["en"]
        == "The feature is switched off for {account_id}; an admin can ask us to enable it."
    )

    paste(folder, proposal)
    check = supportflow(isolated_settings, "domain", "check", str(folder), "--db", world_db)
    assert check.returncode == 0, check.stdout + check.stderr
    playbooks = load_playbooks(load_domain(folder, env={"SUPPORTFLOW_WORLD_DB": world_db}))
    assert playbooks.hypotheses[CAUSE].check_names == ("account.feature_flags",)
    assert CAUSE in playbooks.playbooks["dashboard"].hypotheses

    nothing = supportflow(
        isolated_settings, "playbooks", "suggest", "--min-support", "5", "--domain", str(folder)
    )
    assert nothing.returncode == 0 and "Nothing to propose yet" in nothing.stdout
