"""Connectors to the sources of truth, all behind `Source` and guarded by `GuardedSource`."""

from .base import (
    CircuitBreaker,
    GuardedSource,
    Query,
    QueryLog,
    QueryRecord,
    QueryRecorder,
    Row,
    Source,
    SourceUnavailable,
)
from .files import NdjsonSource
from .http import HttpJsonSource
from .registry import CaseSources, Sources, build_sources, pack_sources
from .sql import SqlSource

__all__ = [
    "CaseSources",
    "CircuitBreaker",
    "GuardedSource",
    "HttpJsonSource",
    "NdjsonSource",
    "Query",
    "QueryLog",
    "QueryRecord",
    "QueryRecorder",
    "Row",
    "Source",
    "SourceUnavailable",
    "Sources",
    "SqlSource",
    "build_sources",
    "pack_sources",
]
