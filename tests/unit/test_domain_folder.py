"""Domain folders: loading with errors that name file, key and line; `domain init|check|try`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from domains import DEFAULT_DOMAIN, HERE
from supportflow.cli import main
from supportflow.domain import DomainError, load_domain


def copy_of(tmp_path: Path, folder: Path = DEFAULT_DOMAIN) -> Path:
    target = tmp_path / folder.name
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_both_example_domains_load() -> None:
    for folder in (HERE / "lumen", HERE / "kestrel"):
        domain = load_domain(folder)
        assert domain.playbooks["hypotheses"] and domain.routing.classes


def test_an_unknown_check_in_a_playbook_is_a_load_error_with_its_line(tmp_path: Path) -> None:
    folder = copy_of(tmp_path)
    path = folder / "playbooks.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "checks: [account.feature_flags]", "checks: [account.feature_flagz]", 1
    )
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "account.feature_flagz" in row)
    with pytest.raises(DomainError) as info:
        load_domain(folder)
    assert f"playbooks.yaml:{line}:" in str(info.value)
    assert "unknown check 'account.feature_flagz'" in str(info.value)


def test_a_bad_value_names_file_key_and_line(tmp_path: Path) -> None:
    folder = copy_of(tmp_path)
    path = folder / "domain.yaml"
    config = path.read_text(encoding="utf-8").replace("team: sre,", "team: [sre],", 1)
    path.write_text(config, encoding="utf-8")
    with pytest.raises(DomainError, match=r"domain\.yaml:\d+: routing\.classes\.incident\.team: "):
        load_domain(folder)


def test_an_entity_on_an_unknown_source_and_a_bad_pattern_are_refused(tmp_path: Path) -> None:
    folder = copy_of(tmp_path)
    path = folder / "vocabulary.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'acc[_-][a-z0-9]{6}'", "'acc[_-'", 1))
    with pytest.raises(DomainError, match=r"vocabulary\.yaml:\d+: identifiers\.account_id\.pattern"):
        load_domain(folder)


def test_a_missing_folder_or_yaml_error_is_clear(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="not a domain folder"):
        load_domain(tmp_path)
    (tmp_path / "domain.yaml").write_text("product: [unclosed\n", encoding="utf-8")
    with pytest.raises(DomainError, match=r"domain\.yaml:\d+: not valid YAML"):
        load_domain(tmp_path)


def test_init_writes_a_valid_skeleton_and_check_reports_missing_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "acme"
    with pytest.raises(SystemExit) as done:
        main(["domain", "init", str(folder)])
    assert done.value.code == 0
    assert yaml.safe_load((folder / "domain.yaml").read_text(encoding="utf-8"))["product"]["name"]
    db = tmp_path / "acme.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (id TEXT)")
    with pytest.raises(SystemExit) as done:
        main(["domain", "check", str(folder), "--db", f"sqlite:///{db}"])
    out = capsys.readouterr().out
    assert done.value.code == 1
    assert "missing table" in out and "api_log" in out


def test_try_traces_one_ticket_of_the_second_domain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from supportflow.world.loader import load_pack

    pack = HERE.parent / "examples" / "packs" / "kestrel"
    db = f"sqlite:///{tmp_path / 'kestrel.db'}"
    load_pack(pack, db)
    line = next(
        row for row in (pack / "tickets.jsonl").read_text(encoding="utf-8").splitlines() if '"KM-0048"' in row
    )
    ticket = tmp_path / "ticket.json"
    ticket.write_text(line, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["domain", "try", str(HERE / "kestrel"), str(ticket), "--db", db, "--json"])
    assert done.value.code == 0
    case = json.loads(capsys.readouterr().out)
    truth = json.loads(line)["truth"]
    assert case["decision"]["decision_class"] == truth["decision"]
    assert case["decision"]["cause"] == truth["cause"]
    written = json.dumps([case["intake"], case["investigation"], case["decision"], case["draft"]])
    assert truth["forbidden"] and all(secret not in written for secret in truth["forbidden"])


def test_a_worker_refuses_a_bad_domain_folder_with_one_clear_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    folder = copy_of(tmp_path)
    path = folder / "playbooks.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("class: incident", "class: outage", 1))
    env = {**os.environ, "SUPPORTFLOW_DOMAIN": str(folder), "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    done = subprocess.run(
        [sys.executable, "-m", "supportflow", "worker", "router"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        "playbooks.yaml:" in done.stdout + done.stderr
        and "unknown class 'outage'" in done.stdout + done.stderr
    )
    assert "Traceback" not in done.stdout + done.stderr


def test_an_unset_variable_or_empty_value_reads_as_nothing(tmp_path: Path) -> None:
    from supportflow.domain.yamlfile import read_yaml

    path = tmp_path / "data.yaml"
    path.write_text("sources:\n  db: {kind: sql, url: ${SURELY_UNSET_VARIABLE}}\n  note:\n", encoding="utf-8")
    doc = read_yaml(path, env=True)
    assert doc.data == {"sources": {"db": {"kind": "sql", "url": None}, "note": None}}
    assert doc.line_of(("sources", "note")) == 3


def test_an_http_source_whose_base_url_is_unset_is_left_out() -> None:
    from services.investigator.sources.registry import build_sources
    from supportflow.domain.models import DataModel

    data = DataModel.model_validate(
        {
            "sources": {"status": {"kind": "http", "url": "/statuspage"}},
            "entities": {"incidents": {"source": "status", "table": "api/v2/incidents.json"}},
        }
    )
    assert "incidents" not in build_sources(data).entities
    served = build_sources(data, locations={"status": "http://127.0.0.1:9/statuspage"})
    assert "incidents" in served.entities
