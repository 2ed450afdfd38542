"""Logging setup: plain or JSON lines with the service, ticket id and stage; ticket bodies are never logged."""

from __future__ import annotations

import json
import logging
from typing import Any

from supportflow.settings import Settings

LEVELS = {"warn": "WARNING", "crit": "CRITICAL"}  # Faust's spellings

# aiokafka logs at ERROR some failures it retries by itself; while a fresh consumer group starts,
# "Group Coordinator Request failed: [Error 15] GroupCoordinatorNotAvailableError" is normal.
RETRYING_LOGGERS = ("aiokafka.consumer.group_coordinator",)


class RetriedErrorsAsWarnings(logging.Filter):
    """An ERROR record whose Kafka error is retriable (aiokafka retries it) becomes a WARNING;
    a non-retriable one stays an ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.levelno == logging.ERROR and any(getattr(arg, "retriable", False) for arg in args):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def log_retried_errors_as_warnings() -> None:
    for name in RETRYING_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RetriedErrorsAsWarnings) for f in logger.filters):
            logger.addFilter(RetriedErrorsAsWarnings())


class JsonLines(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("ticket_id", "stage"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def logging_config(settings: Settings, service: str) -> dict[str, Any] | None:
    """A `logging.config.dictConfig` for the worker: JSON lines when SUPPORTFLOW_LOG_JSON is set,
    else None (Faust's own plain format)."""
    if not settings.log_json:
        return None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "supportflow.logs.JsonLines", "service": service}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {
            "level": LEVELS.get(settings.log_level.lower(), settings.log_level.upper()),
            "handlers": ["default"],
        },
    }
