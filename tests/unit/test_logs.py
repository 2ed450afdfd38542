"""JSON log lines carry the service, ticket id and stage, and nothing of the ticket's body."""

from __future__ import annotations

import json
import logging
import logging.config

import pytest

from supportflow.logs import logging_config
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
