"""Live progress bars for long work (demo, eval, bench): one bar per phase."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

PhaseProgress = Callable[[str, int, int], None]
"""progress(phase, done, total)"""


@contextmanager
def phase_bars(console: Console, width: int = 28) -> Iterator[PhaseProgress]:
    """Yield a `progress(phase, done, total)` callback that draws a bar per phase."""
    with Progress(
        TextColumn(f"{{task.description:<{width}}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield progress
