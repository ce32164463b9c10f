"""A sweep's results directory: streamed Parquet shards that survive a crash.

Layout of ``results/<name>/``::

    manifest.json     what the sweep is (its fingerprint), seeds, versions, git commit
    sweep.toml        the sweep file as given
    design.parquet    every design point: its index, factor values and unit coordinates
    shards/part-*.parquet   finished runs, one row each, in batches

Every file is written to a temporary name in the same directory, flushed to disk and
renamed, so a shard is either whole or absent: a driver killed at any moment loses at
most the runs it had not flushed, and never leaves a corrupt shard. A resumed sweep reads
the ``run_id`` column of every shard and runs only what is missing, so no run is done
twice; temporary files left by a killed driver are removed when the store is opened. A
sweep file that changed since the directory was made is refused, naming what changed.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.errors import InputError, OutputError
from simulation.outputs.manifest import build_manifest, manifest_json
from simulation.outputs.manifest import read_manifest as parse_manifest
from simulation.runs.sweeps import Sweep

MANIFEST = "manifest.json"
SWEEP_FILE = "sweep.toml"
DESIGN = "design.parquet"
SHARDS = "shards"

#: The manifest section that says a lewsim result is a sweep's.
KIND = "sweep"

#: Leading columns of every run row.
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "status", "error", "wall_time")


@dataclass
class SweepStore:
    """An open sweep results directory.

    Attributes:
        directory: The results directory.
        sweep: The sweep whose results it holds.
    """

    directory: Path
    sweep: Sweep

    @classmethod
    def open(
        cls, directory: str | os.PathLike[str], sweep: Sweep, *, restart: bool = False
    ) -> SweepStore:
        """Create a sweep's directory, or reopen it to resume the same sweep.

        Args:
            directory: Where the results go.
            sweep: The sweep.
            restart: Delete the results of an earlier run of a sweep in ``directory``
                (only if it is a lewsim sweep directory) and start again.

        Returns:
            The store.

        Raises:
            OutputError: If ``directory`` holds something other than a lewsim sweep, or
                cannot be written.
            InputError: If it holds a different sweep (naming what changed).
        """
        path = Path(directory)
        try:
            if path.exists() and not path.is_dir():
                raise OutputError(f"{path}: exists and is not a directory; choose another --out")
            manifest = _read_manifest(path)
            if path.exists() and any(path.iterdir()) and manifest is None:
                raise OutputError(
                    f"{path}: holds files that are not a lewsim sweep's results; lewsim never "
                    "writes into such a directory: choose another --out"
                )
            if manifest is not None and restart:
                _remove_sweep_directory(path)
                manifest = None
            store = cls(path, sweep)
            if manifest is None:
                store._create()
            else:
                changes = _changes(manifest.get("fingerprint", {}), sweep.fingerprint())
                if changes:
                    raise InputError(
                        f"{path} holds the results of a different sweep ({'; '.join(changes)}); "
                        "give another --out, or --restart to discard them"
                    )
                store._reap()
            return store
        except OSError as error:
            raise OutputError(f"{path}: cannot be written ({error.strerror or error})") from None

    # ---- writing ----------------------------------------------------------------------------

    def _create(self) -> None:
        (self.directory / SHARDS).mkdir(parents=True, exist_ok=True)
        sweep = self.sweep
        design = pd.DataFrame(sweep.points)
        design.insert(0, "point", np.arange(len(sweep.points)))
        for column, factor in enumerate(sweep.factors):
            design[f"unit:{factor.key}"] = sweep.units[:, column]
        _atomic(
            self.directory / DESIGN, lambda temporary: design.to_parquet(temporary, index=False)
        )
        _atomic(
            self.directory / SWEEP_FILE, lambda temporary: Path(temporary).write_text(sweep.text)
        )
        manifest = sweep_manifest(sweep)
        # The manifest goes last: a directory without one is not a sweep yet, and a
        # retry may replace it.
        _atomic(
            self.directory / MANIFEST,
            lambda temporary: Path(temporary).write_text(manifest_json(manifest)),
        )

    def append(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write finished runs as one new shard (atomically).

        Args:
            rows: Rows from :func:`simulation.outcomes.carry_out`.

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
        for leftover in (self.directory / SHARDS).glob(".*.tmp"):
            leftover.unlink(missing_ok=True)

    # ---- reading ----------------------------------------------------------------------------

    def shard_paths(self) -> list[Path]:
        """The finished shards, in name order."""
        return sorted((self.directory / SHARDS).glob("part-*.parquet"))

    def done_ids(self) -> set[str]:
        """The run ids recorded in any shard (finished, with either status)."""
        done: set[str] = set()
        for path in self.shard_paths():
            done.update(pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist())
        return done

    def read(self) -> pd.DataFrame:
        """Every recorded run, one row each, in design order."""
        return read_runs(self.directory)


def read_runs(directory: str | os.PathLike[str]) -> pd.DataFrame:
    """The runs recorded in a sweep directory, one row per ``run_id``, in design order.

    Args:
        directory: A sweep results directory.

    Returns:
        Columns ``run_id``, ``point``, ``replicate``, ``seed``, ``status``, ``error``,
        ``wall_time``, the factors and the outcomes.

    Raises:
        InputError: If ``directory`` is not a lewsim sweep directory.
    """
    path = Path(directory)
    if _read_manifest(path) is None:
        raise InputError(f"{path}: not a lewsim sweep results directory (no sweep manifest.json)")
    shards = sorted((path / SHARDS).glob("part-*.parquet"))
    if not shards:
        return pd.DataFrame(columns=list(RUN_COLUMNS))
    frame = pd.concat([pd.read_parquet(shard) for shard in shards], ignore_index=True)
    frame = frame.drop_duplicates("run_id", keep="first")
    return frame.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """A sweep directory's manifest.

    Raises:
        InputError: If ``directory`` is not a lewsim sweep directory.
    """
    manifest = _read_manifest(Path(directory))
    if manifest is None:
        raise InputError(
            f"{directory}: not a lewsim sweep results directory (no sweep manifest.json)"
        )
    return manifest


def read_design(directory: str | os.PathLike[str]) -> pd.DataFrame:
    """A sweep directory's design points (``point``, factor values, ``unit:`` coordinates)."""
    return pd.read_parquet(Path(directory) / DESIGN)


def sweep_manifest(sweep: Sweep) -> dict[str, Any]:
    """What ``manifest.json`` records about a sweep: the shared manifest plus a sweep section.

    The shared part (:func:`simulation.outputs.manifest.build_manifest`) records the
    versions, git commit, months, base seed, the replicate seeds and the base scenario's
    parameters; the ``sweep`` section the design, factors, runs, outputs and the
    fingerprint a resumed sweep is checked against.
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
    }
    return manifest.to_json_dict()


def _first_point_runs(sweep: Sweep) -> list[Any]:
    runs = []
    for run in sweep.runs():
        if run.point > 0:
            break
        runs.append(run)
    return runs


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """A sweep directory's manifest, flattened (the sweep section's keys at the top)."""
    try:
        manifest = parse_manifest((path / MANIFEST).read_bytes())
    except OSError:
        return None
    if manifest is None or not isinstance(manifest.get(KIND), dict):
        return None
    return manifest.to_json_dict() | manifest.get(KIND)


def _remove_sweep_directory(path: Path) -> None:
    """Remove a lewsim sweep directory's own files (and nothing else)."""
    for shard in (path / SHARDS).glob("*"):
        if shard.name.startswith(("part-", ".part-")):
            shard.unlink()
    for name in (DESIGN, SWEEP_FILE, MANIFEST):
        (path / name).unlink(missing_ok=True)


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
