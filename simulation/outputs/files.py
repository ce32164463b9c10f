"""Writing results to disk: atomically, never over a user's files, nothing left behind.

The model never imports this module; it belongs to the command line and the experiment
layer. A results directory is written by :func:`write_directory`:

- **Checked first.** :func:`check_destination` refuses, before any simulation runs, a
  destination that cannot be written (its parent is a file, read-only, or a place such as
  ``/proc``; a name too long) or that holds anything but an earlier lewsim result. An
  earlier result is one whose ``manifest.json`` parses as lewsim's
  :class:`~simulation.outputs.manifest.Manifest` and lists every file in the directory;
  it is replaced only when the caller asks (``replace=True``, the command line's
  ``--force``). Any other non-empty directory is refused, always.
- **All or nothing.** The files go into a hidden staging directory next to the target
  (``.NAME.tmp-PID-XXXXXXXX``), are flushed to disk, and the staging directory is
  renamed into place. An earlier result is first renamed aside (``.NAME.old-PID-...``)
  and deleted only once the new one is in place; after any failure it is put back.
- **Recovered after a kill.** A process killed while writing cannot clean up, so every
  check and write first reaps the staging and set-aside directories of that NAME whose
  writing process (the PID in their name) is gone, and puts a set-aside result back if
  the kill came between the two renames.

Any ``OSError`` while checking or writing becomes an :class:`~simulation.core.errors.OutputError`
whose one-line message names the path; earlier results are then unchanged.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from simulation.core.errors import OutputError
from simulation.core.wording import shorten
from simulation.outputs.manifest import (
    MANIFEST_JSON,
    RESULT_NAME,
    Manifest,
    manifest_json,
    read_manifest,
    unicode_text,
)

TIMESERIES_PARQUET = "timeseries.parquet"
TIMESERIES_CSV = "timeseries.csv"
TIMESERIES_PNG = "timeseries.png"
REPORT_HTML = "report.html"

#: Files written by :func:`write_run`.
RUN_FILES: tuple[str, ...] = (TIMESERIES_PARQUET, TIMESERIES_CSV, MANIFEST_JSON, TIMESERIES_PNG)
ORGANISATIONS_PARQUET = "organisations.parquet"
ORGANISATIONS_CSV = "organisations.csv"
#: What a run or comparison with a sector file writes besides: one row per organisation
#: and month, keyed by the organisation's name.
ORGANISATION_FILES: tuple[str, ...] = (ORGANISATIONS_PARQUET, ORGANISATIONS_CSV)

#: Suffixes of the files lewsim writes into a results directory.
RESULT_SUFFIXES: tuple[str, ...] = (".html", ".png", ".csv", ".json", ".parquet")

_FIGURE_DPI = 150
#: A manifest larger than this is not read (a user's huge JSON file is not lewsim's).
_MANIFEST_MAX_BYTES = 64 * 2**20
#: Names longer than this get hidden siblings named by a hash, so that the sibling's name
#: stays within the file system's limit.
_LONG_NAME_BYTES = 200
_NAME_MAX_FALLBACK = 255
_STAGING, _SET_ASIDE = "tmp", "old"


def check_destination(path: str | os.PathLike[str], *, replace: bool) -> Path:
    """Check that a results directory can be written there, before anything is run.

    Refuses a path that is the current directory or one of its ancestors, a name over
    the file system's limit (255 bytes), a parent that is a file, an existing file or
    symbolic link, a non-empty directory that is not an earlier lewsim result (always),
    and an earlier lewsim result unless ``replace`` is true. Writability is tested by
    creating and removing a hidden staging directory next to the target (and any missing
    parents), which catches read-only file systems and places such as ``/proc``.

    Stale staging and set-aside directories of this name, left by a killed writer, are
    reaped first, and a set-aside earlier result is put back if the target is missing.

    Args:
        path: The intended results directory.
        replace: Whether an earlier lewsim result there may be replaced.

    Returns:
        ``path`` as an absolute path.

    Raises:
        OutputError: Naming the path, what is wrong and what to do.
    """
    target = _absolute_target(path)
    try:
        existing_parent, missing = _existing_ancestor(target)
        _check_name_lengths(target, existing_parent, missing)
        if not missing:
            _reap(target)
        if os.path.lexists(target):
            refusal = _refusal(target, replace=replace)
            if refusal is not None:
                raise OutputError(refusal)
        _probe(target, missing)
    except OSError as error:
        raise OutputError(_os_problem(target, error, "cannot be written")) from None
    return target


def is_lewsim_result(directory: str | os.PathLike[str]) -> bool:
    """Whether a directory holds an earlier lewsim result (and nothing else).

    Args:
        directory: Any path.

    Returns:
        True if it is a directory (not a link) whose ``manifest.json`` is a lewsim
        :class:`~simulation.outputs.manifest.Manifest` listing every entry, all regular files.
    """
    path = Path(directory)
    try:
        if path.is_symlink() or not path.is_dir():
            return False
        return _not_a_result(path) is None
    except OSError:
        return False


def read_manifest_file(path: str | os.PathLike[str]) -> Manifest | None:
    """A ``manifest.json`` if it is lewsim's, read without following a link or blocking.

    Args:
        path: The manifest's path.

    Returns:
        The manifest, or ``None`` if ``path`` is missing, a symbolic link, not a regular
        file (a named pipe, a device), larger than a manifest can be, or not a lewsim
        manifest.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > _MANIFEST_MAX_BYTES:
                return None
            text = handle.read(_MANIFEST_MAX_BYTES + 1)
        except OSError:
            return None
    return read_manifest(text)


def write_directory(
    out_dir: str | os.PathLike[str],
    files: Mapping[str, bytes | str],
    *,
    replace: bool = False,
) -> Path:
    """Write a results directory atomically: all of ``files`` or nothing.

    ``files`` must include ``manifest.json`` holding a lewsim manifest (from
    :func:`simulation.outputs.manifest.manifest_json`); the written manifest lists the
    directory's files, which is what lets a later write recognise and replace it.

    Args:
        out_dir: Results directory; created (with missing parents) if missing. An earlier
            lewsim result there is replaced only if ``replace`` is true.
        files: File name to content; text is written as UTF-8 exactly as given. Names are
            plain names (letters, digits, ``.``, ``_``, ``-``) ending in one of
            :data:`RESULT_SUFFIXES`.
        replace: Whether an earlier lewsim result may be replaced.

    Returns:
        The absolute path of the results directory.

    Raises:
        ValueError: If a file name is not allowed or there is no lewsim manifest (a
            programming error, found before anything is touched).
        OutputError: If ``out_dir`` cannot be used (see :func:`check_destination`) or
            writing fails; earlier results are then unchanged and nothing is left behind.
    """
    contents = _with_file_list(files)
    target = check_destination(out_dir, replace=replace)
    created: list[Path] = []
    staging: Path | None = None
    try:
        created = make_parents(target.parent)
        staging = _make_sibling(target, _STAGING)
        for name, content in contents.items():
            _write_file(staging / name, content)
        _fsync_directory(staging)
        _swap_in(staging, target, replace=replace)
    except BaseException as error:
        # BaseException so that Ctrl-C during a write also cleans up the staging directory.
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        remove_empty(created)
        if isinstance(error, OSError):
            raise OutputError(_os_problem(target, error, "could not be written")) from None
        raise
    return target


def write_run(
    out_dir: str | os.PathLike[str],
    timeseries: pd.DataFrame,
    manifest: Manifest | Mapping[str, Any],
    figure: Figure,
    *,
    replace: bool = False,
    organisations: pd.DataFrame | None = None,
) -> Path:
    """Write a run's results atomically into ``out_dir``.

    Writes :data:`RUN_FILES` (``timeseries.parquet``, ``timeseries.csv``,
    ``manifest.json`` and ``timeseries.png``) with :func:`write_directory`: an earlier
    result is replaced only once all four are complete, and nothing is left half-written.

    Args:
        out_dir: Results directory; created if missing.
        timeseries: The long time-series frame. A named index (such as ``month``) is
            written as a column.
        manifest: The run's manifest (see :func:`simulation.outputs.manifest.build_manifest`).
        figure: The figure to save as PNG.
        replace: Whether an earlier lewsim result in ``out_dir`` may be replaced.
        organisations: With a sector file, the organisation x month table (keyed by
            organisation name), written as :data:`ORGANISATION_FILES` too.

    Returns:
        The absolute path of the results directory.

    Raises:
        OutputError: If ``out_dir`` cannot be used or writing fails (checked before the
            files are rendered, which takes a while); nothing is left half-written.
    """
    target = check_destination(out_dir, replace=replace)
    manifest_text = manifest_json(manifest)
    table = timeseries
    if isinstance(table.index, pd.MultiIndex) or table.index.name is not None:
        table = table.reset_index()
    try:
        parquet = io.BytesIO()
        table.to_parquet(parquet, index=False)
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=_FIGURE_DPI)
    except OSError as error:
        raise OutputError(_os_problem(target, error, "could not be written")) from None
    files = {
        TIMESERIES_PARQUET: parquet.getvalue(),
        TIMESERIES_CSV: table.to_csv(index=False),
        MANIFEST_JSON: manifest_text,
        TIMESERIES_PNG: png.getvalue(),
    }
    if organisations is not None:
        files.update(organisation_files(organisations))
    return write_directory(target, files, replace=replace)


def organisation_files(organisations: pd.DataFrame) -> dict[str, bytes | str]:
    """The organisation x month table as :data:`ORGANISATION_FILES` (name to content).

    Args:
        organisations: One row per (scenario,) replication, organisation and month.

    Returns:
        ``organisations.parquet`` and ``organisations.csv``.
    """
    parquet = io.BytesIO()
    organisations.to_parquet(parquet, index=False)
    return {
        ORGANISATIONS_PARQUET: parquet.getvalue(),
        ORGANISATIONS_CSV: organisations.to_csv(index=False),
    }


# --- checks -------------------------------------------------------------------------


def _absolute_target(path: str | os.PathLike[str]) -> Path:
    """The target as an absolute path, refusing names that cannot be a results directory."""
    target = Path(path).expanduser().absolute()
    if target.name in ("", ".", ".."):
        raise OutputError(f"{str(path)!r} cannot be a results directory; give a directory name")
    try:
        here = Path.cwd().resolve()
        resolved = target.resolve()
    except (OSError, RuntimeError) as error:  # a deleted working directory, a link loop
        raise OutputError(f"{str(path)!r} cannot be a results directory: {error}") from None
    if resolved == here or resolved in here.parents:
        # Replacing it would pull the current directory from under the running process.
        raise OutputError(
            f"{str(path)!r} is the current directory or contains it; give a subdirectory"
        )
    return target


def _existing_ancestor(target: Path) -> tuple[Path, list[Path]]:
    """The nearest existing ancestor directory and the missing ones below it, deepest first."""
    missing: list[Path] = []
    current = target.parent
    while True:
        try:
            mode = os.stat(current).st_mode  # a link to a directory is a fine parent
        except OSError as error:
            # Missing, below a file, or too long a name (refused next): not there yet.
            if error.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
                raise
        else:
            if stat.S_ISDIR(mode):
                return current, missing
            raise OutputError(
                f"{target}: {current} is a file, not a directory; give a path whose "
                "parents are directories"
            )
        missing.append(current)
        current = current.parent


def _check_name_lengths(target: Path, existing_parent: Path, missing: Sequence[Path]) -> None:
    """Refuse a name (of the target or a parent to create) over the file system's limit."""
    try:
        limit = os.pathconf(existing_parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = _NAME_MAX_FALLBACK
    for path in (target, *missing):
        size = len(os.fsencode(path.name))
        if size > limit:
            raise OutputError(
                f"{target}: the name {shorten(path.name, 43)!r} is {size} bytes long; "
                f"names can be at most {limit} bytes here"
            )


def _refusal(target: Path, *, replace: bool) -> str | None:
    """Why an existing ``target`` must not be replaced, or ``None`` if it may be."""
    if target.is_symlink() or not target.is_dir():
        # A symbolic link is refused too: replacing it with a directory would break the link.
        return (
            f"{target} exists and is a file or symbolic link, not a directory; give a new directory"
        )
    if not os.listdir(target):
        return None
    problem = _not_a_result(target)
    if problem is not None:
        return (
            f"{target} holds files that are not a lewsim result ({problem}); lewsim never "
            "replaces them: give a new or empty directory"
        )
    if not replace:
        return (
            f"{target} holds an earlier lewsim result; replace it with --force "
            "(replace=True), or give another directory"
        )
    return None


def _not_a_result(directory: Path) -> str | None:
    """Why a non-empty directory is not a lewsim result, or ``None`` if it is one."""
    entries = sorted(os.listdir(directory))
    if MANIFEST_JSON not in entries:
        return f"no {MANIFEST_JSON}; e.g. {entries[0]!r}"
    manifest = read_manifest_file(directory / MANIFEST_JSON)
    if manifest is None:
        return f"{MANIFEST_JSON} is not a lewsim manifest"
    listed = set(manifest.files)
    for name in entries:
        entry = directory / name
        if name not in listed or entry.is_symlink() or not entry.is_file():
            return f"{name!r} is not one of the files its manifest lists"
    return None


def _probe(target: Path, missing: Sequence[Path]) -> None:
    """Create (and remove) missing parents and a staging directory, to test writability."""
    created: list[Path] = []
    try:
        for directory in reversed(missing):
            os.mkdir(directory)
            created.insert(0, directory)
        os.rmdir(_make_sibling(target, _STAGING))
    except OSError as error:
        place = Path(error.filename).parent if error.filename else target.parent
        raise OutputError(
            f"{target} cannot be written: no directory can be made in {place} "
            f"({error.strerror or error}); give a writable place"
        ) from None
    finally:
        remove_empty(created)


def _os_problem(target: Path, error: OSError, what: str) -> str:
    """One line naming the path and the system's reason."""
    reason = error.strerror or str(error)
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(target) else ""
    return f"{target} {what}: {reason}{where}; nothing there was changed"


# --- staging, swapping, reaping ----------------------------------------------------------


def _with_file_list(files: Mapping[str, bytes | str]) -> dict[str, bytes | str]:
    """``files`` with its manifest rewritten to list them; refuse bad names."""
    if not files:
        raise ValueError("no files to write")
    for name in files:
        if not (RESULT_NAME.fullmatch(name) and name.endswith(RESULT_SUFFIXES)):
            raise ValueError(
                f"cannot write {name!r} into a results directory: names are plain "
                "(letters, digits, '.', '_' and '-') and end in "
                f"{', '.join(RESULT_SUFFIXES)}"
            )
    if MANIFEST_JSON not in files:
        raise ValueError(f"a results directory needs its {MANIFEST_JSON}")
    manifest = read_manifest(files[MANIFEST_JSON])
    if manifest is None:
        raise ValueError(f"{MANIFEST_JSON} must be a lewsim manifest (see manifest_json)")
    manifest.files = sorted(files)
    return {**files, MANIFEST_JSON: manifest_json(manifest)}


def _sibling_stem(name: str) -> str:
    """The part of the hidden siblings' names that identifies the target."""
    if len(os.fsencode(name)) <= _LONG_NAME_BYTES:
        return name
    return "lewsim-" + hashlib.sha256(os.fsencode(name)).hexdigest()[:16]


def _sibling_pattern(target: Path) -> re.Pattern[str]:
    """Matches the target's hidden siblings, capturing their kind and writer's PID."""
    stem = re.escape(_sibling_stem(target.name))
    return re.compile(rf"\.{stem}\.({_STAGING}|{_SET_ASIDE})-(\d+)-[0-9a-f]{{8}}")


def _sibling_path(target: Path, kind: str) -> Path:
    """A fresh hidden sibling path of the target, naming this process."""
    token = secrets.token_hex(4)
    return target.parent / f".{_sibling_stem(target.name)}.{kind}-{os.getpid()}-{token}"


def _make_sibling(target: Path, kind: str) -> Path:
    """Create a hidden sibling directory of the target (mode from the umask, like mkdir)."""
    while True:
        path = _sibling_path(target, kind)
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        return path


def _swap_in(staging: Path, target: Path, *, replace: bool) -> None:
    """Rename ``staging`` to ``target``, setting an existing ``target`` aside first.

    POSIX cannot rename a directory over a non-empty one, so an existing target is renamed
    to a hidden sibling, the staging directory takes its name, and only then is the
    set-aside directory deleted. What was set aside is checked once more (it may have
    changed since :func:`check_destination`); if it may not be replaced, or the second
    rename fails, it is put back. A kill between the renames is repaired by :func:`_reap`.
    """
    if not os.path.lexists(target):
        os.rename(staging, target)
        _fsync_directory(target.parent)
        return
    set_aside = _sibling_path(target, _SET_ASIDE)
    os.rename(target, set_aside)
    try:
        refusal = _refusal(set_aside, replace=replace)
        if refusal is not None:
            raise OutputError(refusal.replace(str(set_aside), str(target)))
        os.rename(staging, target)
    except BaseException:
        os.rename(set_aside, target)
        raise
    _fsync_directory(target.parent)
    shutil.rmtree(set_aside, ignore_errors=True)


def _reap(target: Path) -> None:
    """Remove hidden siblings of ``target`` left by dead writers; restore a set-aside result.

    A staging directory of a dead writer is a partial result: removed. A set-aside
    directory of a dead writer is the earlier result: put back if ``target`` is missing
    (the writer died between its two renames), removed otherwise (it died after them).
    Siblings of live processes (another lewsim writing now) are left alone.
    """
    pattern = _sibling_pattern(target)
    staging: list[Path] = []
    set_aside: list[Path] = []
    for name in os.listdir(target.parent):
        match = pattern.fullmatch(name)
        path = target.parent / name
        if match is None or path.is_symlink() or not path.is_dir():
            continue
        if _process_alive(int(match[2])):
            continue
        (staging if match[1] == _STAGING else set_aside).append(path)
    if set_aside and not os.path.lexists(target):
        newest = max(set_aside, key=lambda path: path.stat().st_mtime_ns)
        os.rename(newest, target)
        set_aside.remove(newest)
    for path in (*staging, *set_aside):
        shutil.rmtree(path, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` may still be writing (when unsure: yes)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # e.g. another user's process
    try:
        # A killed process that its parent has not yet waited for is a zombie: it exists
        # but writes no more.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


# --- low-level writing ---------------------------------------------------------------


def _write_file(path: Path, content: bytes | str) -> None:
    """Write one file and flush it to disk (a failed flush, e.g. a full disk, raises).

    Text is written as UTF-8, with any undecoded file name in it made readable first
    (:func:`~simulation.outputs.manifest.unicode_text`: a C locale reads ``é`` as surrogates).
    """
    data = unicode_text(content).encode("utf-8") if isinstance(content, str) else bytes(content)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def make_parents(directory: Path) -> list[Path]:
    """Create ``directory`` and missing ancestors; return the ones created, deepest first.

    An ancestor counts as present if anything is there, a dangling link included, so the
    list names only directories this call made (and :func:`remove_empty` can undo them).
    """
    missing = []
    current = directory
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    directory.mkdir(parents=True, exist_ok=True)
    return missing


def remove_empty(directories: Iterable[Path]) -> None:
    """Remove directories created for a failed write, deepest first, if still empty."""
    for directory in directories:
        try:
            directory.rmdir()
        except OSError:
            return


def _fsync_directory(path: Path) -> None:
    """Flush a directory's entries to disk where the platform allows it (best effort)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. directories cannot be opened on Windows
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
