"""A domain folder with one cause family held out of its playbooks: how learning is measured on a
cause the system does not know (scripts/learned_paths_holdout.py, the learned-path tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # a ${VARIABLE} is substituted before the YAML is parsed: quoted, its value stays one string
    style = '"' if "${" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def dump_yaml(value: object) -> str:
    """YAML for a domain file written back: ${VARIABLE} references stay quoted."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def held_out_folder(domain: Path, cause: str, into: Path) -> Path:
    """A copy of `domain` whose playbooks do not know `cause` (nor route it specially)."""
    folder = into / f"{domain.name}-without-{cause}"
    shutil.copytree(domain, folder, ignore=shutil.ignore_patterns("__pycache__"))
    config = yaml.safe_load((folder / "domain.yaml").read_text(encoding="utf-8"))
    playbooks_file = folder / str(config.get("playbooks", "playbooks.yaml"))
    playbooks = yaml.safe_load(playbooks_file.read_text(encoding="utf-8"))
    if cause not in (playbooks.get("hypotheses") or {}):
        raise ValueError(f"{domain}: no hypothesis {cause}")
    del playbooks["hypotheses"][cause]
    for playbook in (playbooks.get("playbooks") or {}).values():
        playbook["hypotheses"] = [h for h in playbook.get("hypotheses") or () if h != cause]
    if playbooks.get("rule_out"):
        playbooks["rule_out"] = [h for h in playbooks["rule_out"] if h != cause]
    playbooks_file.write_text(dump_yaml(playbooks), encoding="utf-8")
    routing = config.get("routing")
    if isinstance(routing, dict):
        (routing.get("causes") or {}).pop(cause, None)
        (folder / "domain.yaml").write_text(dump_yaml(config), encoding="utf-8")
    elif isinstance(routing, str):
        table = yaml.safe_load((folder / routing).read_text(encoding="utf-8"))
        (table.get("causes") or {}).pop(cause, None)
        (folder / routing).write_text(dump_yaml(table), encoding="utf-8")
    return folder
