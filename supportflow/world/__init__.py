"""Scenario packs: loading a pack's world into the evidence database and reading its tickets.

A product's own world generator lives in its domain folder (`<domain>/world/`).
"""

from supportflow.world.loader import LoadReport, load_pack, read_tickets
from supportflow.world.pack import PackError, PackTicket, Truth

__all__ = ["LoadReport", "PackError", "PackTicket", "Truth", "load_pack", "read_tickets"]
