"""JSON log lines carry the service, ticket id and stage, and nothing of the ticket's body."""

from __future__ import annotations

import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.errors import GroupAuthorizationFailedError, GroupCoordinatorNotAvailableError

from supportflow.fleet import free_port_block
from supportflow.logs import log_retried_errors_as_warnings, logging_config
from supportflow.settings import Settings


def test_json_lines_carry_service_ticket_and_stage(capsys: pytest.CaptureFixture[str]) -> None:
    config = logging_config(Settings(log_json=True, log_level="warn"), "router")
    assert config is not None
    logging.config.dictConfig(config)
    try:
        logging.getLogger("supportflow").warning(
            "dead-lettered %s", "x", extra={"stage": "router", "ticket_id": "T-1"}
        )
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        logging.root.handlers.clear()
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["service"] == "router" and line["ticket_id"] == "T-1" and line["stage"] == "router"
    assert line["level"] == "warning" and line["message"] == "dead-lettered x"


def test_plain_logs_by_default() -> None:
    assert logging_config(Settings(), "intake") is None


def test_retried_kafka_errors_are_warnings_and_fatal_ones_stay_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log_retried_errors_as_warnings()
    logger = logging.getLogger("aiokafka.consumer.group_coordinator")
    with caplog.at_level(logging.WARNING, logger="aiokafka"):
        logger.error("Group Coordinator Request failed: %s", GroupCoordinatorNotAvailableError())
        logger.error("Attempt to join group failed due to fatal error: %s", GroupAuthorizationFailedError())
    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR"]


def test_a_service_log_file_holds_no_terminal_escape_codes(tmp_path: Path) -> None:
    """Faust's start-up spinner writes cursor codes to stdout; a service's stdout is its log file."""
    log_file = tmp_path / "router.log"
    env = os.environ | {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",  # nobody answers: the worker logs errors and exits
        "SUPPORTFLOW_STATE_DIR": str(tmp_path / "state"),
        "SUPPORTFLOW_WEB_PORT_BASE": str(free_port_block()),
    }
    with log_file.open("wb") as out:
        subprocess.run(
            [sys.executable, "-m", "supportflow", "worker", "router"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=60,
            check=False,
        )
    text = log_file.read_text(errors="replace")
    assert "Unable connect" in text  # it did log
    assert "\x1b" not in text
