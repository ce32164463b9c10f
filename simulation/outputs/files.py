"""Writing results to disk: a run's time series, manifest and figure, or a report.

The model never imports this module; it belongs to the command line and the experiment
layer. Results are written atomically by :func:`write_directory`: everything goes into a
temporary sibling directory first, and only a complete directory is renamed into place, so
an interrupted or failing command never leaves a half-written results directory behind.
"""

from __future__ import annotations

import io
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation import __version__
from simulation.parameters import validate_parameters

TIMESERIES_PARQUET = "timeseries.parquet"
TIMESERIES_CSV = "timeseries.csv"
MANIFEST_JSON = "manifest.json"
TIMESERIES_PNG = "timeseries.png"
REPORT_HTML = "report.html"

#: Files written by :func:`write_run`; an existing directory holding only these (or
#: nothing) is a previous run and may be replaced.
RUN_FILES: tuple[str, ...] = (TIMESERIES_PARQUET, TIMESERIES_CSV, MANIFEST_JSON, TIMESERIES_PNG)

#: Suffixes of the files lewsim writes into a results directory.
RESULT_SUFFIXES: tuple[str, ...] = (".html", ".png", ".csv", ".json", ".parquet")

#: A results directory holding one of these may also hold other files with a
#: :data:`RESULT_SUFFIXES` suffix (a report's figures and tables, say).
MARKER_FILES: tuple[str, ...] = (MANIFEST_JSON, REPORT_HTML)

#: Distributions whose versions are recorded in the manifest.
RECORDED_PACKAGES: tuple[str, ...] = (
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "pydantic",
    "pyarrow",
    "matplotlib",
    "networkx",
)

_FIGURE_DPI = 150
_GIT_TIMEOUT_SECONDS = 10
_RESULT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ALLOWED = (
    "lewsim replaces only a directory holding its own results: a run's files, or a "
    f"{' or '.join(MARKER_FILES)} with other {', '.join(RESULT_SUFFIXES)} files"
)


def foreign_files(names: Iterable[str]) -> list[str]:
    """The names among a directory's entries that are not lewsim results.

    A name is a lewsim result if it is one of :data:`RUN_FILES` or ``report.html``, or if
    the entries include one of :data:`MARKER_FILES` and the name is a plain, visible file
    name ending in one of :data:`RESULT_SUFFIXES`. A loose ``data.csv`` on its own is thus
    foreign, but a report's ``patterns.csv`` next to its ``report.html`` is not.

    Args:
        names: The entries' file names.

    Returns:
        The foreign names, sorted; empty if every name is a lewsim result.
    """
    names = list(names)
    marked = any(name in MARKER_FILES for name in names)
    return sorted(
        name
        for name in names
        if name not in (*RUN_FILES, REPORT_HTML)
        and not (marked and _RESULT_NAME.fullmatch(name) and name.endswith(RESULT_SUFFIXES))
    )


def check_out_dir(out_dir: str | os.PathLike[str]) -> Path:
    """Check that a results directory can be written or replaced, without touching it.

    An existing directory is only replaced when it is empty or holds nothing but the
    regular files of previous lewsim results (see :func:`foreign_files`); anything else
    might be the user's own work, and ``--out .`` must never delete a working directory.

    Args:
        out_dir: The intended results directory.

    Returns:
        ``out_dir`` as an absolute path.

    Raises:
        ValueError: If ``out_dir`` is a filesystem root, an existing non-directory, or an
            existing directory that does not look like previous results, or the current
            directory or one of its ancestors. The message says why and what is allowed.
    """
    target = Path(out_dir).expanduser().absolute()
    if target.name in ("", ".", ".."):
        raise ValueError(f"{str(out_dir)!r} cannot be a results directory; give a directory name")
    here = Path.cwd().resolve()
    if target.resolve() == here or target.resolve() in here.parents:
        # Replacing it would pull the current directory from under the running process.
        raise ValueError(
            f"{str(out_dir)!r} is the current directory or contains it; give a subdirectory"
        )
    if target.exists() or target.is_symlink():
        if target.is_symlink() or not target.is_dir():
            # A symlink is refused too: replacing it with a directory would break the link.
            raise ValueError(
                f"{str(out_dir)!r} exists and is a file or symbolic link, not a directory; "
                "give a new or previous results directory"
            )
        entries = list(target.iterdir())
        # Subdirectories and symbolic links are never results.
        odd = [e.name for e in entries if e.is_symlink() or not e.is_file()]
        foreign = sorted({*odd, *foreign_files(e.name for e in entries)})
        if foreign:
            raise ValueError(
                f"{str(out_dir)!r} exists and holds files that are not lewsim results "
                f"(e.g. {foreign[0]!r}); give an empty, new or previous results directory "
                f"({_ALLOWED})"
            )
    return target


def write_directory(out_dir: str | os.PathLike[str], files: Mapping[str, bytes | str]) -> Path:
    """Write a results directory atomically: all of ``files`` or nothing.

    The files are written into a temporary directory next to ``out_dir``, flushed to disk,
    and the temporary directory is renamed into place once all are complete. Previous
    results in ``out_dir`` are moved aside only at that point and deleted after the new
    ones are in place; if anything fails (or the write is interrupted), the temporary
    directory is removed and any previous results are left as they were.

    Args:
        out_dir: Results directory; created (with missing parents) if missing, replaced if
            it holds previous lewsim results (see :func:`check_out_dir`).
        files: File name to content; text is written as UTF-8 exactly as given. Names are
            plain file names that :func:`foreign_files` accepts, so that the directory can
            itself be replaced later.

    Returns:
        The absolute path of the results directory.

    Raises:
        ValueError: If a file name is not allowed, or ``out_dir`` cannot be used (see
            :func:`check_out_dir`).
        OSError: If writing fails; nothing is left half-written.
    """
    if not files:
        raise ValueError("no files to write")
    foreign = foreign_files(files)
    if foreign:
        raise ValueError(
            f"cannot write {foreign[0]!r} into a results directory; {_ALLOWED} "
            "(plain names of letters, digits, '.', '_' and '-')"
        )
    target = check_out_dir(out_dir)
    created_parents = _make_parents(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        # mkdtemp makes the directory private (0700); results should get the usual
        # permissions, as if made with mkdir.
        os.chmod(staging, 0o777 & ~_current_umask())
        for name, content in files.items():
            _write_file(staging / name, content)
        # The rename that publishes the directory is only meaningful if the data reached disk.
        _fsync(staging)
        _replace_directory(staging, target)
    except BaseException:
        # BaseException so that Ctrl-C during a write also cleans up the staging directory.
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(created_parents)
        raise
    return target


def write_run(
    out_dir: str | os.PathLike[str],
    timeseries: pd.DataFrame,
    manifest: Mapping[str, Any],
    figure: Figure,
) -> Path:
    """Write a run's results atomically into ``out_dir``.

    Writes :data:`RUN_FILES` (``timeseries.parquet``, ``timeseries.csv``,
    ``manifest.json`` and ``timeseries.png``) with :func:`write_directory`: a previous
    run is replaced only once all four are complete, and nothing is left half-written.

    Args:
        out_dir: Results directory; created if missing, replaced if it holds a previous run.
        timeseries: The long time-series frame. A named index (such as ``month``) is
            written as a column.
        manifest: JSON-serialisable run metadata (see :func:`build_manifest`).
        figure: The figure to save as PNG.

    Returns:
        The absolute path of the results directory.

    Raises:
        ValueError: If ``out_dir`` cannot be used (see :func:`check_out_dir`).
        OSError: If writing fails; nothing is left half-written.
    """
    target = check_out_dir(out_dir)  # before the files are rendered, which takes a while
    table = timeseries
    if isinstance(table.index, pd.MultiIndex) or table.index.name is not None:
        table = table.reset_index()
    parquet = io.BytesIO()
    table.to_parquet(parquet, index=False)
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=_FIGURE_DPI)
    files = {
        TIMESERIES_PARQUET: parquet.getvalue(),
        TIMESERIES_CSV: table.to_csv(index=False),
        MANIFEST_JSON: manifest_json(manifest),
        TIMESERIES_PNG: png.getvalue(),
    }
    return write_directory(target, files)


def manifest_json(manifest: Mapping[str, Any]) -> str:
    """A manifest as indented JSON text with a final newline.

    Args:
        manifest: Run metadata; converted with :func:`to_jsonable`.

    Returns:
        The JSON text.

    Raises:
        TypeError: For a value with no JSON representation.
    """
    return json.dumps(to_jsonable(manifest), indent=2, allow_nan=False) + "\n"


def _write_file(path: Path, content: bytes | str) -> None:
    """Write one file and flush it to disk."""
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    with open(path, "wb") as handle:
        handle.write(data)
    _fsync(path)


def _replace_directory(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``, moving an existing ``target`` aside first.

    POSIX cannot rename a directory over a non-empty one, so an existing target is first
    renamed to a backup sibling, the staging directory takes its name, and only then is
    the backup deleted. If the second rename fails the backup is put back.
    """
    if not target.exists():
        os.replace(staging, target)
        _fsync(target.parent)
        return
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.replace(target, backup)  # an empty directory may be replaced by rename
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(backup, target)
        raise
    _fsync(target.parent)
    shutil.rmtree(backup, ignore_errors=True)


def _current_umask() -> int:
    """The process umask (reading it requires setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _make_parents(directory: Path) -> list[Path]:
    """Create ``directory`` and missing ancestors; return the ones created, deepest first."""
    missing = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    directory.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(directories: Sequence[Path]) -> None:
    """Remove directories created for a failed write, deepest first, if still empty."""
    for directory in directories:
        try:
            directory.rmdir()
        except OSError:
            return


def _fsync(path: Path) -> None:
    """Flush a file or directory to disk where the platform allows it."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return  # e.g. directories cannot be opened on Windows; durability is best effort
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def build_manifest(
    *,
    steps: int,
    seed: int,
    replications: int,
    seeds: Sequence[int],
    params: Mapping[str, Any] | None,
    started_at: datetime,
    wall_time_seconds: float,
    command_line: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Describe a run well enough to reproduce it.

    Args:
        steps: Months simulated per replication.
        seed: Root seed.
        replications: Number of replications.
        seeds: Per-replication seeds (from :func:`simulation.runs.replications.replication_seeds`).
        params: Parameter overrides of the run; the manifest records every parameter,
            defaults included.
        started_at: When the run started (timezone-aware; converted to UTC).
        wall_time_seconds: Elapsed wall-clock time of the run.
        command_line: The command's argument vector; defaults to ``sys.argv``.

    Returns:
        A JSON-serialisable dict with the lewsim version, git commit and dirty flag, Python
        version, platform, package versions, command line, run settings, seeds, all
        parameters, start time (UTC, ISO 8601) and wall time.
    """
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware (e.g. datetime.now(UTC))")
    argv = list(sys.argv if command_line is None else command_line)
    commit, dirty = git_state(Path(__file__).resolve().parent)
    all_params = validate_parameters(dict(params or {}), owner="build_manifest").model_dump(
        mode="json"
    )
    return to_jsonable(
        {
            "lewsim_version": __version__,
            "git_commit": commit,
            "git_dirty": dirty,
            "python_version": platform.python_version(),
            "platform": platform.platform(),
            "packages": package_versions(),
            "command_line": shlex.join(argv),
            "argv": argv,
            "steps": steps,
            "seed": seed,
            "replications": replications,
            "seeds": list(seeds),
            "params": all_params,
            "started_at": started_at.astimezone(UTC).isoformat(),
            "wall_time_seconds": round(float(wall_time_seconds), 3),
        }
    )


def package_versions(names: Sequence[str] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of the given distributions (``None`` if not installed).

    Args:
        names: Distribution names.

    Returns:
        Mapping of name to version string or ``None``.
    """
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(directory: Path) -> tuple[str | None, bool | None]:
    """Commit and dirty flag of the git working tree that holds ``directory``.

    The package directory is used rather than the current directory, so the commit is
    that of the code that ran. A package installed into an ignored folder (such as a
    ``.venv`` inside some repository) does not belong to that repository's commit, so it
    reports ``None`` as well.

    Args:
        directory: A directory inside the working tree.

    Returns:
        ``(commit, dirty)``; ``(None, None)`` if git is missing, the directory is not in a
        git work tree, it is ignored there, or the repository has no commits yet.
        ``dirty`` is true when tracked files are modified or untracked files exist.
    """
    try:
        inside = _git(directory, "rev-parse", "--is-inside-work-tree")
        if inside != "true":
            return None, None
        # check-ignore exits 0 (output "") when the path is ignored, 1 when it is not.
        if _git(directory, "check-ignore", "-q", ".", check=False) is not None:
            return None, None
        commit = _git(directory, "rev-parse", "--verify", "-q", "HEAD")
        status = _git(directory, "status", "--porcelain")
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit, bool(status)


def _git(directory: Path, *args: str, check: bool = True) -> str | None:
    """Run a git command in ``directory``; return stdout, or ``None`` if it failed."""
    result = subprocess.run(
        ["git", "-C", str(directory), *args],
        capture_output=True,
        text=True,
        timeout=_GIT_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        if check:
            raise subprocess.SubprocessError(result.stderr.strip())
        return None
    return result.stdout.strip()


def to_jsonable(value: Any) -> Any:
    """Convert a nested structure to plain JSON types.

    Tuples become lists, NumPy scalars and arrays become Python numbers and lists, paths
    become strings, and non-finite floats become ``None`` (JSON has no NaN).

    Args:
        value: Any nesting of mappings, sequences and scalars.

    Returns:
        An equivalent structure of dicts, lists, str, int, float, bool and None.

    Raises:
        TypeError: For an object with no JSON representation.
    """
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [to_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON: {value!r}")
