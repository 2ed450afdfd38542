"""The demo world: a generator of scenario packs and the loader that puts a pack into SQL."""

from supportflow.world.generator import PackSummary, generate_pack
from supportflow.world.loader import LoadReport, load_pack, read_tickets
from supportflow.world.pack import PackError, PackTicket, Truth

__all__ = [
    "LoadReport",
    "PackError",
    "PackSummary",
    "PackTicket",
    "Truth",
    "generate_pack",
    "load_pack",
    "read_tickets",
]
