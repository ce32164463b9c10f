"""Where a command writes: ``--out`` or a new numbered directory under ``results/``."""

from __future__ import annotations

from pathlib import Path

from simulation.core.errors import OutputError
from simulation.outputs import files

#: Where results go when ``--out`` is not given.
RESULTS_DIR = Path("results")


def destination(out: Path | None, stem: str) -> Path:
    """The results directory of a command: ``--out`` if given, else a new numbered one.

    Args:
        out: ``--out`` as given, or ``None``.
        stem: The default directory's name before its number, e.g. ``"run"``.

    Returns:
        ``out``, or ``results/<stem>-NNN`` for the first NNN (001, 002, ...) not in use:
        a default never replaces earlier results.
    """
    return out if out is not None else first_unused(RESULTS_DIR, stem)


def first_unused(parent: Path, stem: str) -> Path:
    """``parent/<stem>-NNN`` for the smallest NNN from 001 that names nothing yet.

    Args:
        parent: The directory to look in.
        stem: The name before the number.

    Returns:
        The path (relative if ``parent`` is).
    """
    number = 1
    while True:
        candidate = parent / f"{stem}-{number:03d}"
        if not (candidate.exists() or candidate.is_symlink()):
            return candidate
        number += 1


def check_destination(out: Path, *, force: bool) -> Path:
    """Check that results may be written to ``out`` before anything runs.

    A new or empty directory is fine; a directory of earlier lewsim results is replaced only
    with ``force``; anything else is refused (:func:`simulation.outputs.files.check_destination`).

    Args:
        out: The results directory.
        force: Whether the user asked to replace earlier results (``--force``).

    Returns:
        ``out`` as an absolute path.

    Raises:
        OutputError: Naming ``--out``, the directory and what to do instead.
    """
    try:
        return files.check_destination(out, replace=force)
    except OutputError as problem:
        raise OutputError(f"--out: {problem}") from None
