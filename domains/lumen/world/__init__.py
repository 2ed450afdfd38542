"""The demo product's world: a generator of coherent scenario packs (docs/WORLD.md), the checks
of their coherence, and the loader of their table layout."""

from domains.lumen.world.generator import PackSummary, generate_pack

__all__ = ["PackSummary", "generate_pack"]
