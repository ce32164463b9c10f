"""The tutorials: jupytext notebooks in ``docs/tutorials/`` executed into Markdown pages.

A tutorial is a ``.py`` file in jupytext's percent format (it diffs well in git and runs
as a plain script). When the site builds, each is executed in a fresh kernel from the
repository's root, the way a reader would run it, and converted to Markdown with its
outputs; figures become PNG files beside the page. A cell that raises stops the build
(``mkdocs build --strict`` and ``make test`` fail), so a tutorial that breaks is seen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbclient
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "docs" / "tutorials"
#: Seconds a cell may run before the build fails (a hang, not a slow machine: each
#: tutorial takes well under a minute on two shared cores).
CELL_TIMEOUT = 600


@dataclass(frozen=True)
class ExecutedTutorial:
    """A tutorial executed and converted.

    Attributes:
        name: Its file's stem, e.g. ``researcher``.
        markdown: The page: text, code and outputs.
        files: The figures it references: path relative to ``tutorials/`` to PNG bytes.
        seconds: Wall time of its execution.
    """

    name: str
    markdown: str
    files: dict[str, bytes]
    seconds: float


def tutorial_sources() -> list[Path]:
    """The tutorials' notebooks, by name."""
    return sorted(TUTORIALS.glob("*.py"))


def execute(source: Path) -> ExecutedTutorial:
    """Run one tutorial from the repository's root and convert it to Markdown.

    Args:
        source: Its jupytext notebook.

    Returns:
        The page and its figures.

    Raises:
        nbclient.exceptions.CellExecutionError: A cell raised.
    """
    notebook = jupytext.read(source)
    started = time.perf_counter()
    nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
    ).execute()
    seconds = time.perf_counter() - started
    exporter = MarkdownExporter()
    markdown, resources = exporter.from_notebook_node(
        notebook,
        resources={"unique_key": source.stem, "output_files_dir": f"{source.stem}_files"},
    )
    return ExecutedTutorial(source.stem, markdown, dict(resources.get("outputs", {})), seconds)
