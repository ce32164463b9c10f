"""A sweep's results directory: streamed Parquet shards that survive a crash.

Layout of ``results/<name>/``::

    manifest.json     what the sweep is (its fingerprint), seeds, versions, git commit,
                      the shards written so far and a digest of the design
    sweep.toml        the sweep file as given
    design.parquet    every design point: its index, factor values, unit coordinates, run ids
    shards/part-*.parquet   finished runs, one row each, in batches
    .sweep.lock       held by the sweep writing here (it holds the writer's PID)

Every file is written to a temporary name in the same directory, flushed to disk and
renamed, so a shard is either whole or absent: a driver killed at any moment loses at
most the runs it had not flushed, and never leaves a corrupt shard. A resumed sweep reads
the ``run_id`` column of every shard and runs only what is missing, so no run is done
twice. A sweep file that changed since the directory was made is refused, naming what
changed.

One rule keeps a user's files safe. The manifest lists every shard lewsim wrote (a shard's
name goes into the manifest before the shard is written), and lewsim reads, sets aside or
deletes (``--restart``) only files its manifest lists, plus its own temporary files.
Nothing is done through a symbolic link: a linked results directory, ``shards/`` or listed
file is refused. Anything else is refused, naming it, before anything is deleted: a
``.parquet`` file in ``shards/`` that the manifest does not list (copied in from another
sweep, say), a listed shard holding runs that are not in the design, a manifest or design
edited since lewsim wrote them (the manifest records a SHA-256 digest of both), and a
second sweep writing into a directory while one is (a lock, ``.sweep.lock``, held with
``flock`` and released when its process ends, however it ends). A listed shard that cannot
be read (a truncated file) is renamed ``<name>.damaged`` and listed as such when the sweep
resumes, and its runs are run again; ``--restart`` deletes it with the rest.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.core.errors import InputError, OutputError
from simulation.core.wording import shorten
from simulation.outputs.files import (
    is_lewsim_result,
    make_parents,
    read_manifest_file,
    remove_empty,
)
from simulation.outputs.manifest import build_manifest, manifest_json
from simulation.runs.sweeps import Sweep

try:
    import fcntl
except ImportError:  # not on POSIX: the lock file's PID is checked instead
    fcntl = None  # type: ignore[assignment]

MANIFEST = "manifest.json"
SWEEP_FILE = "sweep.toml"
DESIGN = "design.parquet"
SHARDS = "shards"
LOCK = ".sweep.lock"
ANALYSIS = "analysis"
EXPORT = "export"

#: The manifest section that says a lewsim result is a sweep's.
KIND = "sweep"

#: Leading columns of every run row.
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "status", "error", "wall_time")

#: The name of every shard lewsim writes: ``part-<UTC time>-<PID>-<6 hex digits>.parquet``.
SHARD_NAME = re.compile(r"part-\d{8}T\d{12}-\d+-[0-9a-f]{6}\.parquet")
#: What a shard that cannot be read is renamed to: its name and this suffix.
DAMAGED = ".damaged"
#: A temporary file of :func:`_atomic` for one of the sweep's files (the writer's PID inside).
_TEMPORARY = re.compile(
    rf"\.(?:{re.escape(MANIFEST)}|{re.escape(SWEEP_FILE)}|{re.escape(DESIGN)}|"
    rf"{SHARD_NAME.pattern})\.\d+\.tmp"
)
#: Keys of the manifest's sweep section that grow as runs are recorded: not in the digest.
_RECORD_KEYS = ("shards", "damaged_shards", "design_sha256")

#: Locks this process holds: directory -> the lock file's descriptor.
_HELD: dict[str, int] = {}


@dataclass
class SweepStore:
    """An open sweep results directory.

    Attributes:
        directory: The results directory.
        sweep: The sweep whose results it holds.
        manifest: Its manifest as JSON values (the sweep section lists the shards).
        set_aside: One line per unreadable shard set aside when the store was opened.
    """

    directory: Path
    sweep: Sweep
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)
    set_aside: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls, directory: str | os.PathLike[str], sweep: Sweep, *, restart: bool = False
    ) -> SweepStore:
        """Create a sweep's directory, or reopen it to resume the same sweep.

        The store holds the directory's lock until :meth:`close` (or the process ends).

        Args:
            directory: Where the results go.
            sweep: The sweep.
            restart: Delete the results of an earlier run of a sweep in ``directory``
                (only the files its manifest lists) and start again.

        Returns:
            The store.

        Raises:
            OutputError: If ``directory`` is a symbolic link, holds something other than a
                lewsim sweep, is being written by another sweep, or cannot be written.
            InputError: If it holds a different sweep (naming what changed), or files
                lewsim did not write where it keeps its own (naming them).
        """
        path = Path(directory)
        created: list[Path] = []
        try:
            _check_place(path)
            _refuse_foreign(path, _load(path))  # before the lock file is made there
            created = make_parents(path)
            _acquire_lock(path)
            try:
                store = cls._open_locked(path, sweep, restart=restart)
            except BaseException:
                _release_lock(path)
                if created:
                    (path / LOCK).unlink(missing_ok=True)
                    remove_empty(created)
                raise
            return store
        except OSError as error:
            raise OutputError(f"{path}: cannot be written ({error.strerror or error})") from None

    @classmethod
    def _open_locked(cls, path: Path, sweep: Sweep, *, restart: bool) -> SweepStore:
        manifest = _load(path)
        _refuse_foreign(path, manifest)
        if manifest is not None:
            _check_layout(path, manifest)
            if restart:
                _remove_sweep_files(path, manifest)
                manifest = None
        if manifest is None:
            store = cls(path, sweep)
            store._create()
            return store
        _refuse_other_sweep(path, manifest, sweep)
        store = cls(path, sweep, manifest)
        store._reap()
        store._restore_missing()
        _check_digest(path, manifest)
        store._set_aside_unreadable()
        return store

    def close(self) -> None:
        """Release the directory's lock (another sweep may then write there)."""
        _release_lock(self.directory)

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing ----------------------------------------------------------------------------

    @property
    def _section(self) -> dict[str, Any]:
        return self.manifest[KIND]

    def _create(self) -> None:
        # The manifest goes first: it proves the directory is lewsim's, so a sweep killed
        # before its other files were written can be resumed (they are written again).
        design = design_frame(self.sweep)
        manifest = sweep_manifest(self.sweep)
        manifest[KIND]["design_sha256"] = design_digest(manifest[KIND], design)
        self.manifest = manifest
        self._write_manifest()
        self._restore_missing(design)

    def _restore_missing(self, design: pd.DataFrame | None = None) -> None:
        """Write the design, the sweep file and ``shards/`` if they are missing."""
        shards = self.directory / SHARDS
        if not os.path.lexists(shards):
            shards.mkdir()
        if not os.path.lexists(self.directory / DESIGN):
            frame = design if design is not None else design_frame(self.sweep)
            _atomic(
                self.directory / DESIGN, lambda temporary: frame.to_parquet(temporary, index=False)
            )
        if not os.path.lexists(self.directory / SWEEP_FILE):
            _atomic(
                self.directory / SWEEP_FILE,
                lambda temporary: Path(temporary).write_text(self.sweep.text, encoding="utf-8"),
            )

    def _write_manifest(self) -> None:
        text = manifest_json(self.manifest)
        _atomic(
            self.directory / MANIFEST,
            lambda temporary: Path(temporary).write_text(text, encoding="utf-8"),
        )

    def append(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write finished runs as one new shard (atomically), listed in the manifest.

        The shard's name is listed first: a kill between the two writes leaves a listed
        shard that does not exist (nothing lost), never a shard lewsim would not own.

        Args:
            rows: Rows from :func:`simulation.runs.jobs.carry_out`.

        Raises:
            OutputError: If the shard cannot be written.
        """
        if not rows:
            return
        frame = self.rows_frame(rows)
        name = (
            f"part-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}-{secrets.token_hex(3)}.parquet"
        )
        try:
            self._section["shards"] = [*self._section["shards"], name]
            self._write_manifest()
            _atomic(
                self.directory / SHARDS / name,
                lambda temporary: pq.write_table(
                    pa.Table.from_pandas(frame, preserve_index=False), temporary
                ),
            )
        except OSError as error:
            raise OutputError(
                f"{self.directory}: cannot write results ({error.strerror or error})"
            ) from None

    def rows_frame(self, rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
        """Run rows as a flat frame: run columns, factor values, then every outcome."""
        outputs = self.sweep.output_names()
        records = []
        for row in rows:
            record = {column: row[column] for column in RUN_COLUMNS}
            record |= self.sweep.points[row["point"]]
            record |= {name: row["outcomes"].get(name, np.nan) for name in outputs}
            records.append(record)
        frame = pd.DataFrame.from_records(records)
        columns = [*RUN_COLUMNS, *(factor.key for factor in self.sweep.factors), *outputs]
        return frame[columns].astype({name: "float64" for name in outputs})

    def _reap(self) -> None:
        """Remove temporary files of a killed writer (this process holds the lock)."""
        for directory in (self.directory, self.directory / SHARDS):
            for entry in os.scandir(directory):
                if _TEMPORARY.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)

    def _set_aside_unreadable(self) -> None:
        """Rename listed shards that cannot be read to ``<name>.damaged``; their runs rerun."""
        damaged = []
        for path in _listed_shards(self.directory, self.manifest):
            reason = _unreadable(path)
            if reason is not None:
                damaged.append((path, reason))
        if not damaged:
            return
        names = {path.name for path, _ in damaged}
        self._section["shards"] = [name for name in self._section["shards"] if name not in names]
        self._section["damaged_shards"] = [
            *self._section["damaged_shards"],
            *(name + DAMAGED for name in sorted(names)),
        ]
        self._write_manifest()  # listed as damaged first: never an unlisted file
        for path, reason in damaged:
            os.replace(path, path.with_name(path.name + DAMAGED))
            self.set_aside.append(
                f"{path} cannot be read ({reason}); set aside as {path.name + DAMAGED}, "
                "its runs will be run again"
            )

    # ---- reading ----------------------------------------------------------------------------

    def shard_paths(self) -> list[Path]:
        """The finished shards the manifest lists, in name order."""
        return _listed_shards(self.directory, self.manifest)

    def done_ids(self) -> set[str]:
        """The run ids recorded in any shard (finished, with either status).

        Raises:
            InputError: If a shard holds runs that are not in the sweep's design.
        """
        valid = {run.run_id for run in self.sweep.runs()}
        done: set[str] = set()
        for path in self.shard_paths():
            done |= _shard_ids(path, valid)
        return done

    def read(self) -> pd.DataFrame:
        """Every recorded run, one row each, in design order."""
        return read_runs(self.directory)


def check_directory(directory: str | os.PathLike[str], sweep: Sweep, *, restart: bool) -> set[str]:
    """What :meth:`SweepStore.open` would refuse, found without writing anything.

    Args:
        directory: The intended results directory.
        sweep: The sweep.
        restart: ``--restart``: earlier results there are to be deleted.

    Returns:
        The run ids already recorded there for this sweep (none if new, or restarting);
        runs of shards that cannot be read are not among them.

    Raises:
        OutputError: As :meth:`SweepStore.open`, and if another sweep holds the lock.
        InputError: As :meth:`SweepStore.open`.
    """
    path = Path(directory)
    try:
        _check_place(path)
        if not path.is_dir():
            return set()
        if os.path.lexists(path / LOCK):
            holder = _lock_holder(path)
            if holder is not None:
                raise OutputError(_busy(path, holder))
        manifest = _load(path)
        _refuse_foreign(path, manifest)
        if manifest is None:
            return set()
        _check_layout(path, manifest)
        if restart:
            return set()
        _refuse_other_sweep(path, manifest, sweep)
        if os.path.lexists(path / DESIGN):
            _check_digest(path, manifest)
        valid = {run.run_id for run in sweep.runs()}
        done: set[str] = set()
        for shard in _listed_shards(path, manifest):
            if _unreadable(shard) is None:
                done |= _shard_ids(shard, valid)
        return done
    except OSError as error:
        raise OutputError(f"{path}: cannot be read ({error.strerror or error})") from None


def read_runs(directory: str | os.PathLike[str]) -> pd.DataFrame:
    """The runs recorded in a sweep directory, one row per ``run_id``, in design order.

    Args:
        directory: A sweep results directory.

    Returns:
        Columns ``run_id``, ``point``, ``replicate``, ``seed``, ``status``, ``error``,
        ``wall_time``, the factors and the outcomes (no rows if none are recorded).

    Raises:
        InputError: If ``directory`` is not a lewsim sweep directory, its manifest or
            design was edited, or a shard cannot be read or holds runs of another design
            (naming the shard).
    """
    path = Path(directory)
    manifest = _checked_manifest(path)
    section = manifest[KIND]
    columns = [*RUN_COLUMNS, *section["factors"], *section["outputs"]]
    valid = set(itertools.chain.from_iterable(read_design(path)["run_ids"]))
    frames = []
    for shard in _listed_shards(path, manifest):
        reason = _unreadable(shard)
        if reason is not None:
            raise InputError(
                f"{shard} cannot be read ({reason}); run the sweep command again with --out "
                f"{path}: it sets the shard aside and runs its runs again"
            )
        _shard_ids(shard, valid)
        frame = pd.read_parquet(shard)
        if list(frame.columns) != columns:
            raise InputError(
                f"{shard} is not a shard of this sweep: its columns are not the sweep's "
                "run columns, factors and outputs; move it out of the shards directory"
            )
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.drop_duplicates("run_id", keep="first")
    return frame.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """A sweep directory's manifest, flattened (the sweep section's keys at the top).

    Raises:
        InputError: If ``directory`` is not a lewsim sweep directory, or its manifest or
            design was edited since lewsim wrote them.
    """
    manifest = _checked_manifest(Path(directory))
    return manifest | manifest[KIND]


def read_design(directory: str | os.PathLike[str]) -> pd.DataFrame:
    """A sweep directory's design points (``point``, factor values, ``unit:`` coordinates).

    Raises:
        InputError: If the design cannot be read.
    """
    path = Path(directory) / DESIGN
    reason = _unreadable(path, "run_ids")
    if reason is not None:
        raise InputError(
            f"{path} cannot be read ({reason}); run the sweep command again with --out "
            f"{path.parent} to write it again"
        )
    return pd.read_parquet(path)


def design_frame(sweep: Sweep) -> pd.DataFrame:
    """The sweep's ``design.parquet``: one row per design point.

    Columns: ``point``, the factor values, the point's coordinates on the unit hypercube
    (``unit:<factor>``) and its runs' ids (``run_ids``, one per replicate).
    """
    design = pd.DataFrame(sweep.points)
    design.insert(0, "point", np.arange(len(sweep.points)))
    for column, factor in enumerate(sweep.factors):
        design[f"unit:{factor.key}"] = sweep.units[:, column]
    ids = [run.run_id for run in sweep.runs()]
    replications = sweep.spec.replications
    design["run_ids"] = [
        ids[start : start + replications] for start in range(0, len(ids), replications)
    ]
    return design


def design_digest(section: Mapping[str, Any], design: pd.DataFrame) -> str:
    """SHA-256 of what the analysis trusts: the manifest's sweep section and the design.

    Covers the section's fields (design, factors, outputs, counts, fingerprint...) but not
    the shard lists, which grow, and the design's point numbers, unit coordinates and run
    ids.

    Raises:
        KeyError, ValueError, TypeError: If they lack what a sweep's hold.
    """
    fixed = {key: value for key, value in section.items() if key not in _RECORD_KEYS}
    digest = hashlib.sha256(json.dumps(fixed, sort_keys=True, separators=(",", ":")).encode())
    units = design[["point", *(f"unit:{name}" for name in section["factors"])]]
    digest.update(np.ascontiguousarray(units.to_numpy(dtype=np.float64)).tobytes())
    for ids in design["run_ids"]:
        digest.update(("," + ",".join(str(run) for run in ids)).encode())
    return digest.hexdigest()


def sweep_manifest(sweep: Sweep) -> dict[str, Any]:
    """What ``manifest.json`` records about a sweep: the shared manifest plus a sweep section.

    The shared part (:func:`simulation.outputs.manifest.build_manifest`) records the
    versions, git commit, months, base seed, the replicate seeds and the base scenario's
    parameters; the ``sweep`` section the design, factors, runs, outputs, the fingerprint a
    resumed sweep is checked against and the shards written (none yet).
    """
    seeds = [run.seed for run in _first_point_runs(sweep)]
    manifest = build_manifest(
        steps=sweep.steps,
        seed=sweep.spec.seed,
        replications=sweep.spec.replications,
        seeds=seeds,
        params=sweep.base.parameters,
        started_at=datetime.now(UTC),
        wall_time_seconds=0.0,
    )
    manifest.files = sorted([DESIGN, MANIFEST, SWEEP_FILE])
    manifest[KIND] = {
        "source": sweep.source,
        "design": sweep.spec.design,
        "factors": [factor.key for factor in sweep.factors],
        "factor_kinds": {factor.key: factor.kind for factor in sweep.factors},
        "points": len(sweep.points),
        "replications": sweep.spec.replications,
        "runs": sweep.n_runs,
        "base_seed": sweep.spec.seed,
        "seeding": "replicate r of every point runs on SeedSequence(seed).spawn(R)[r] "
        "(common random numbers across points)",
        "outputs": sweep.output_names(),
        "fingerprint": sweep.fingerprint(),
        "shards": [],
        "damaged_shards": [],
    }
    # As read back from its JSON, so that the digest of the written section is the same.
    return json.loads(manifest_json(manifest))


def _first_point_runs(sweep: Sweep) -> list[Any]:
    runs = []
    for run in sweep.runs():
        if run.point > 0:
            break
        runs.append(run)
    return runs


# ---- checks ---------------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any] | None:
    """A directory's manifest as JSON values, if it is a lewsim sweep's (else ``None``)."""
    manifest = read_manifest_file(path / MANIFEST)
    if manifest is None or not isinstance(manifest.get(KIND), dict):
        return None
    return manifest.to_json_dict()


def _checked_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a sweep directory to read, its layout and digest checked."""
    if path.is_symlink():
        raise InputError(f"{path}: a symbolic link; give the sweep's directory itself")
    manifest = _load(path)
    if manifest is None:
        raise InputError(f"{path}: not a lewsim sweep results directory (no sweep manifest.json)")
    _check_layout(path, manifest)
    _check_digest(path, manifest)
    return manifest


def _check_place(path: Path) -> None:
    """Refuse a results directory that is a symbolic link or not a directory."""
    if path.is_symlink():
        raise OutputError(
            f"{path}: a symbolic link; lewsim never writes a sweep through one: give a directory"
        )
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a directory; choose another --out")


def _refuse_foreign(path: Path, manifest: dict[str, Any] | None) -> None:
    """Refuse a non-empty directory without a sweep manifest (its lock and temporaries aside)."""
    if manifest is not None or not path.is_dir():
        return
    others = sorted(
        name for name in os.listdir(path) if name != LOCK and not _TEMPORARY.fullmatch(name)
    )
    if others:
        raise OutputError(
            f"{path}: holds files that are not a lewsim sweep's results (e.g. {others[0]!r}); "
            "lewsim never writes into such a directory: choose another --out"
        )


def _edited(path: Path, what: str) -> InputError:
    return InputError(
        f"{path / MANIFEST}: {what}; it was edited or is not lewsim's, and lewsim does not "
        "use it: run the sweep again into a new --out"
    )


def _check_layout(path: Path, manifest: dict[str, Any]) -> None:
    """Refuse a directory lewsim would read or delete through a link, or beside others' files.

    Checks that the manifest lists its shards by lewsim's shard names, that ``shards/``
    is a directory (not a link), that every listed file there is a regular file, and that
    ``shards/`` holds no ``.parquet`` file the manifest does not list.
    """
    section = manifest[KIND]
    for key in ("shards", "damaged_shards"):
        names = section.get(key)
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise _edited(path, f"its sweep section has no list of {key.replace('_', ' ')}")
        pattern = SHARD_NAME.pattern + (re.escape(DAMAGED) if key == "damaged_shards" else "")
        bad = [name for name in names if not re.fullmatch(pattern, name)]
        if bad:
            raise _edited(path, f"it lists {bad[0]!r}, which is not the name of a lewsim shard")
    for name in (DESIGN, SWEEP_FILE, SHARDS):
        entry = path / name
        if entry.is_symlink():
            raise InputError(
                f"{entry}: a symbolic link; lewsim never reads, writes or deletes through "
                "one: remove the link, or give another --out"
            )
    shards = path / SHARDS
    if not shards.exists():
        return
    if not shards.is_dir():
        raise InputError(f"{shards}: not a directory; lewsim keeps a sweep's shards there")
    listed = {*section["shards"], *section["damaged_shards"]}
    for entry in sorted(os.scandir(shards), key=lambda entry: entry.name):
        if entry.name in listed:
            if entry.is_symlink() or not entry.is_file():
                raise InputError(
                    f"{entry.path}: not a regular file (a link?); lewsim wrote a file there "
                    "and never reads or deletes through a link: remove it, or give another "
                    "--out"
                )
        elif entry.name.endswith((".parquet", ".parquet" + DAMAGED)):
            raise InputError(
                f"{entry.path} is not one of this sweep's shards (manifest.json does not "
                "list it; copied from another sweep?); lewsim neither reads nor deletes it: "
                "move it out of the shards directory"
            )


def _refuse_other_sweep(path: Path, manifest: dict[str, Any], sweep: Sweep) -> None:
    """Refuse a directory holding a different sweep's results, naming what changed."""
    fingerprint = manifest[KIND].get("fingerprint")
    if not isinstance(fingerprint, dict):
        raise _edited(path, "its sweep section has no fingerprint")
    changes = _changes(fingerprint, sweep.fingerprint())
    if changes:
        raise InputError(
            f"{path} holds the results of a different sweep ({'; '.join(changes)}); "
            "give another --out, or --restart to discard them"
        )


def _check_digest(path: Path, manifest: dict[str, Any]) -> None:
    """Refuse a manifest or design changed since lewsim wrote them."""
    section = manifest[KIND]
    recorded = section.get("design_sha256")
    if not isinstance(recorded, str):
        raise _edited(path, "its sweep section has no design_sha256 (a digest of the design)")
    design = read_design(path)
    try:
        actual = design_digest(section, design)
    except (KeyError, ValueError, TypeError):
        actual = None
    if actual != recorded:
        raise InputError(
            f"{path}: {MANIFEST} or {DESIGN} was changed since lewsim wrote them (their "
            "digest is not the design_sha256 recorded); lewsim does not analyse or resume a "
            "changed design: run the sweep again into a new --out"
        )


def _listed_shards(path: Path, manifest: dict[str, Any]) -> list[Path]:
    """The shards the manifest lists that exist (a listed one may never have been written)."""
    shards = path / SHARDS
    return [
        shards / name for name in sorted(manifest[KIND]["shards"]) if os.path.lexists(shards / name)
    ]


def _unreadable(path: Path, column: str = "run_id") -> str | None:
    """Why a Parquet file (with ``column``) cannot be read, or ``None`` if it can."""
    try:
        pq.read_metadata(path)
        pq.read_table(path, columns=[column])
    except (OSError, pa.ArrowException, KeyError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        return shorten(reason, 120)
    return None


def _shard_ids(path: Path, valid: set[str]) -> set[str]:
    """A shard's run ids, refused (naming the shard) if any is not in the design."""
    ids = set(pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist())
    foreign = ids - valid
    if foreign:
        raise InputError(
            f"{path} holds {len(foreign)} runs that are not in this sweep's design (e.g. "
            f"run_id {sorted(foreign, key=str)[0]!r}; copied from another sweep?); lewsim "
            "does not merge them: move the file out of the shards directory"
        )
    return ids


# ---- deleting -------------------------------------------------------------------------------


def _remove_sweep_files(path: Path, manifest: dict[str, Any]) -> None:
    """Delete the files a sweep's manifest lists (checked by :func:`_check_layout`).

    The analysis and export made from them go too if they are lewsim results. The manifest
    goes last, so a kill part-way leaves a directory that is still lewsim's.
    """
    section = manifest[KIND]
    for name in (*section["shards"], *section["damaged_shards"]):
        (path / SHARDS / name).unlink(missing_ok=True)
    for name in (ANALYSIS, EXPORT):
        if is_lewsim_result(path / name):
            shutil.rmtree(path / name)
    for name in (DESIGN, SWEEP_FILE):
        entry = path / name
        if entry.is_file() and not entry.is_symlink():
            entry.unlink()
    (path / MANIFEST).unlink()


# ---- the lock -------------------------------------------------------------------------------


def _busy(path: Path, holder: int) -> str:
    return (
        f"{path}: another lewsim sweep (PID {holder}) is writing there; wait for it to "
        "finish, or stop it, and run this again"
    )


def _acquire_lock(path: Path) -> None:
    """Take the directory's lock (a file holding this process's PID), or refuse.

    With ``flock`` the lock goes with the process: a lock file left by a dead sweep is
    simply taken over. Reentrant within a process.
    """
    key = os.path.realpath(path)
    if key in _HELD:
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path / LOCK, flags, 0o644)
    except OSError as error:
        raise OutputError(
            f"{path / LOCK}: cannot be opened as a lock ({error.strerror or error}); "
            "remove it if it is not lewsim's lock"
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OutputError(f"{path / LOCK}: not a regular file; remove it")
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError(_busy(path, _pid_in(descriptor) or 0)) from None
        else:
            holder = _pid_in(descriptor)
            if holder is not None and holder != os.getpid() and _process_alive(holder):
                raise OutputError(_busy(path, holder))
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    except BaseException:
        os.close(descriptor)
        raise
    _HELD[key] = descriptor


def _release_lock(path: Path) -> None:
    descriptor = _HELD.pop(os.path.realpath(path), None)
    if descriptor is not None:
        os.close(descriptor)  # releases the flock


def _lock_holder(path: Path) -> int | None:
    """The PID of another process holding the directory's lock, or ``None``."""
    if os.path.realpath(path) in _HELD:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path / LOCK, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        holder = _pid_in(descriptor)
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return holder or 0
            return None
        return holder if holder and _process_alive(holder) else None
    finally:
        os.close(descriptor)


def _pid_in(descriptor: int) -> int | None:
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# ---- small helpers --------------------------------------------------------------------------


def _changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """What differs between two fingerprints, as ``field: old -> new`` phrases."""
    changes = []
    for key in sorted(set(old) | set(new), key=str):
        before, after = old.get(key), new.get(key)
        name = f"{prefix}{key}"
        if isinstance(before, dict) and isinstance(after, dict):
            changes += _changes(before, after, f"{name}.")
        elif before != after:
            changes.append(
                f"{name.removeprefix('sweep.')}: {json.dumps(before)} -> {json.dumps(after)}"
            )
    return changes


def _atomic(path: Path, write: Any) -> None:
    """Write ``path`` through ``write(temporary)``, fsync and rename (whole or absent)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
