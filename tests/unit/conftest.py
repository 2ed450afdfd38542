"""Fixtures shared by unit tests."""

from llm_server import llm_endpoint

__all__ = ["llm_endpoint"]
