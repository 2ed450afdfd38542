"""Example domain folders: everything that is true of one product (DESIGN.md §6).

`lumen/` is the demo analytics product the demo, the example pack and most tests use; an
adopter points SUPPORTFLOW_DOMAIN at a folder of their own (`supportflow domain init`).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DOMAIN = HERE / "lumen"
DEFAULT_PACK = HERE.parent / "examples" / "packs" / "lumen-demo"
"""The demo product's example scenario pack (the demo and most tests run it)."""
