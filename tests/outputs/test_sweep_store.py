"""A sweep's results directory against damaged, foreign and hostile contents.

The rule under test: lewsim reads, sets aside or deletes only the files its own manifest
lists, never through a symbolic link, and refuses (naming the thing) whatever else it
finds where it keeps its files. The runs here are fabricated rows (no simulation), so
each case takes milliseconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from simulation.core.errors import InputError, LewsimError, OutputError
from simulation.outputs.sweep_store import (
    DAMAGED,
    DESIGN,
    LOCK,
    MANIFEST,
    SHARDS,
    SweepStore,
    check_directory,
    read_manifest,
    read_runs,
)
from simulation.runs.sweeps import sweep_from_text

ROOT = Path(__file__).resolve().parents[2]

SWEEP = """
name = "store"
steps = 2
replications = 2
seed = 5
design = "lhs"
samples = 3
outputs = ["peer_workers", "mean_stigma"]
[parameters.board_support]
range = [0.2, 0.8]
"""


def make_sweep(text: str = SWEEP):
    return sweep_from_text(textwrap.dedent(text))


OTHER = SWEEP.replace("seed = 5", "seed = 6")  # the same design shape, other run ids


def rows(sweep, count: int | None = None, start: int = 0) -> list[dict]:
    """Fabricated finished runs of ``sweep`` (outcomes made up, the ids real)."""
    runs = list(sweep.runs())[start:]
    return [
        {
            "run_id": run.run_id,
            "point": run.point,
            "replicate": run.replicate,
            "seed": run.seed,
            "status": "ok",
            "error": "",
            "wall_time": 0.1,
            "outcomes": {"peer_workers": float(index), "mean_stigma": 0.5},
        }
        for index, run in enumerate(runs[:count])
    ]


def written(directory: Path, sweep=None, batches=(2, 2)) -> tuple[Path, object]:
    """A sweep directory holding ``batches`` shards of runs; its store closed."""
    sweep = sweep or make_sweep()
    start = 0
    with SweepStore.open(directory, sweep) as store:
        for size in batches:
            store.append(rows(sweep, size, start))
            start += size
    return directory, sweep


def shards(directory: Path) -> list[Path]:
    return sorted((directory / SHARDS).glob("part-*.parquet"))


def tree(directory: Path) -> dict[str, bytes | str]:
    """Every path under ``directory``: a file's bytes, a link's target, a directory's mark."""
    found: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        name = str(path.relative_to(directory))
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            found[name] = "<dir>"
        else:
            found[name] = path.read_bytes()
    return found


def edit_manifest(directory: Path, change) -> None:
    manifest = json.loads((directory / MANIFEST).read_text())
    change(manifest)
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2))


# ---- --restart deletes only what the manifest lists ---------------------------------------


def test_restart_deletes_only_the_listed_shards_never_a_users_files(tmp_path):
    out, sweep = written(tmp_path / "d")
    mine = {
        SHARDS + "/part-of-my-thesis.docx": b"chapter 1",
        SHARDS + "/.part-backup": b"backup",
        SHARDS + "/.part-notes.parquet.7.tmp": b"looks like a temporary, is not lewsim's",
        "notes.txt": b"mine",
    }
    for name, content in mine.items():
        (out / name).write_bytes(content)
    before = shards(out)
    assert len(before) == 2

    with SweepStore.open(out, sweep, restart=True) as store:
        assert store.done_ids() == set()
        store.append(rows(sweep, 1))
    for name, content in mine.items():
        assert (out / name).read_bytes() == content, name
    assert not any(path.exists() for path in before)
    assert len(read_runs(out)) == 1


def test_restart_refuses_a_shards_directory_that_links_out_and_touches_nothing(tmp_path):
    out, sweep = written(tmp_path / "d")
    user = tmp_path / "userdir"
    user.mkdir()
    (user / "part-precious.txt").write_text("precious")
    for shard in shards(out):  # what a user might do: move the shards and link to them
        shard.rename(user / shard.name)
    (out / SHARDS).rmdir()
    (out / SHARDS).symlink_to("../userdir")
    before_user, before_out = tree(user), tree(out)

    for restart in (True, False):
        with pytest.raises(InputError, match="shards: a symbolic link"):
            SweepStore.open(out, sweep, restart=restart)
    with pytest.raises(InputError, match="symbolic link"):
        read_runs(out)
    assert tree(user) == before_user  # nothing deleted or written outside --out
    assert tree(out) == before_out


def test_a_symlinked_out_is_refused_and_nothing_is_written_through_it(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to("real")
    with pytest.raises(OutputError, match="a symbolic link"):
        SweepStore.open(tmp_path / "link", make_sweep())
    with pytest.raises(OutputError, match="a symbolic link"):
        check_directory(tmp_path / "link", make_sweep(), restart=False)
    assert list(real.iterdir()) == []


def test_a_listed_shard_replaced_by_a_link_is_refused_and_its_target_kept(tmp_path):
    out, sweep = written(tmp_path / "d")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    shard = shards(out)[0]
    shard.unlink()
    shard.symlink_to(victim)
    with pytest.raises(InputError, match="not a regular file"):
        SweepStore.open(out, sweep, restart=True)
    assert victim.read_text() == "keep me"
    assert shard.is_symlink()


def test_a_manifest_listing_a_path_outside_shards_is_refused(tmp_path):
    out, sweep = written(tmp_path / "d")
    victim = tmp_path / "victim.parquet"
    victim.write_text("keep me")
    edit_manifest(out, lambda m: m["sweep"]["shards"].append("../../victim.parquet"))
    with pytest.raises(InputError, match="not the name of a lewsim shard"):
        SweepStore.open(out, sweep, restart=True)
    assert victim.read_text() == "keep me"


# ---- foreign and damaged shards --------------------------------------------------------------


def test_a_shard_copied_in_from_another_sweep_is_refused_naming_it(tmp_path):
    out, sweep = written(tmp_path / "d")
    other, _ = written(tmp_path / "other", make_sweep(OTHER), batches=(6,))
    copied = out / SHARDS / shards(other)[0].name
    copied.write_bytes(shards(other)[0].read_bytes())
    for action in (
        lambda: read_runs(out),
        lambda: SweepStore.open(out, sweep),
        lambda: SweepStore.open(out, sweep, restart=True),
        lambda: check_directory(out, sweep, restart=False),
    ):
        with pytest.raises(InputError, match=f"{copied.name} is not one of this sweep's shards"):
            action()
    assert copied.exists()  # never deleted: lewsim did not write it


def test_a_listed_shard_holding_runs_of_another_design_is_refused_naming_it(tmp_path):
    out, sweep = written(tmp_path / "d")
    other, _ = written(tmp_path / "other", make_sweep(OTHER), batches=(2,))
    target = shards(out)[0]
    target.write_bytes(shards(other)[0].read_bytes())  # same name, another sweep's runs
    with pytest.raises(InputError, match=f"{target.name} holds 2 runs that are not in this"):
        read_runs(out)
    with (
        pytest.raises(InputError, match="not in this sweep's design"),
        SweepStore.open(out, sweep) as store,
    ):
        store.done_ids()


def test_a_truncated_shard_is_named_set_aside_on_resume_and_its_runs_redone(tmp_path):
    out, sweep = written(tmp_path / "d")
    broken = shards(out)[0]
    broken_ids = set(pd.read_parquet(broken)["run_id"])
    os.truncate(broken, 100)

    with pytest.raises(InputError, match=f"{broken.name} cannot be read"):
        read_runs(out)
    # Read only: the damaged shard's runs are not counted as done.
    assert check_directory(out, sweep, restart=False).isdisjoint(broken_ids)

    with SweepStore.open(out, sweep) as store:
        assert len(store.set_aside) == 1 and broken.name in store.set_aside[0]
        assert store.done_ids().isdisjoint(broken_ids)
        pending = [row for row in rows(sweep) if row["run_id"] not in store.done_ids()]
        store.append(pending)
    aside = broken.with_name(broken.name + DAMAGED)
    assert aside.exists() and not broken.exists()
    assert read_manifest(out)["damaged_shards"] == [aside.name]
    recorded = read_runs(out)
    assert len(recorded) == sweep.n_runs and broken_ids <= set(recorded["run_id"])

    SweepStore.open(out, sweep, restart=True).close()  # lewsim's own: deleted on --restart
    assert not aside.exists()


def test_a_manifest_with_no_shards_reads_as_no_runs(tmp_path):
    out, _ = written(tmp_path / "d", batches=())
    runs = read_runs(out)
    assert runs.empty
    assert {"run_id", "board_support", "peer_workers"} <= set(runs.columns)


# ---- an edited manifest or design ------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["sweep"].update(design="morris"),
        lambda m: m["sweep"].update(factors=["pay_parity"]),
        lambda m: m["sweep"].update(outputs=["peer_workers", "orgs_with_peers"]),
        lambda m: m["sweep"].update(points=2),
        lambda m: m["sweep"].pop("design_sha256"),
        lambda m: m["sweep"].update(shards="all of them"),
        lambda m: m["sweep"].update(fingerprint="none"),
        lambda m: m["sweep"]["fingerprint"]["sweep"].update(samples=4),
    ],
    ids=[
        "design",
        "factors",
        "outputs",
        "points",
        "no digest",
        "shards not a list",
        "fingerprint not a table",
        "fingerprint changed",
    ],
)
def test_a_hand_edited_manifest_is_refused(tmp_path, change):
    out, sweep = written(tmp_path / "d")
    edit_manifest(out, change)
    with pytest.raises(InputError, match="manifest.json"):
        read_manifest(out)
    with pytest.raises(InputError, match="manifest.json"):
        read_runs(out)
    with pytest.raises(LewsimError):
        SweepStore.open(out, sweep)


def test_an_edited_design_is_refused(tmp_path):
    out, sweep = written(tmp_path / "d")
    design = pd.read_parquet(out / DESIGN)
    design["unit:board_support"] = 0.5  # a constant factor, as if never varied
    design.to_parquet(out / DESIGN, index=False)
    with pytest.raises(InputError, match="design.parquet was changed"):
        read_manifest(out)
    with pytest.raises(InputError, match="design.parquet was changed"):
        SweepStore.open(out, sweep)


def test_a_manifest_that_is_a_link_or_a_pipe_is_not_a_sweeps(tmp_path):
    out, _ = written(tmp_path / "d")
    real = tmp_path / "manifest-copy.json"
    real.write_bytes((out / MANIFEST).read_bytes())
    (out / MANIFEST).unlink()
    (out / MANIFEST).symlink_to(real)
    with pytest.raises(InputError, match="not a lewsim sweep results directory"):
        read_runs(out)
    (out / MANIFEST).unlink()
    os.mkfifo(out / MANIFEST)  # reading it would block forever
    with pytest.raises(InputError, match="not a lewsim sweep results directory"):
        read_runs(out)


def test_shards_that_is_a_file_is_refused(tmp_path):
    out, sweep = written(tmp_path / "d", batches=())
    (out / SHARDS).rmdir()
    (out / SHARDS).write_text("not a directory")
    with pytest.raises(InputError, match="not a directory"):
        SweepStore.open(out, sweep)
    assert (out / SHARDS).read_text() == "not a directory"


def test_a_sweep_killed_after_its_manifest_resumes_and_writes_the_rest(tmp_path):
    out, sweep = written(tmp_path / "d", batches=())
    (out / DESIGN).unlink()  # as if killed after the manifest, before the design
    (out / "sweep.toml").unlink()
    with SweepStore.open(out, sweep) as store:
        store.append(rows(sweep, 1))
    assert (out / DESIGN).is_file() and (out / "sweep.toml").read_text() == sweep.text
    assert len(read_runs(out)) == 1


# ---- one sweep at a time ---------------------------------------------------------------------

HOLD = """
import sys, textwrap, time
from simulation.outputs.sweep_store import SweepStore
from simulation.runs.sweeps import sweep_from_text
store = SweepStore.open(sys.argv[1], sweep_from_text(textwrap.dedent(sys.argv[2])))
print("holding", flush=True)
time.sleep(60)
"""


def test_a_second_sweep_into_the_same_directory_is_told_another_is_writing(tmp_path):
    out = tmp_path / "d"
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out), SWEEP], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        message = f"another lewsim sweep \\(PID {holder.pid}\\) is writing there"
        with pytest.raises(OutputError, match=message):
            SweepStore.open(out, make_sweep())
        with pytest.raises(OutputError, match=message):
            check_directory(out, make_sweep(), restart=False)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    assert (out / LOCK).read_text().strip() == str(holder.pid)  # a stale lock is left ...
    with SweepStore.open(out, make_sweep()) as store:  # ... and taken over
        store.append(rows(store.sweep, 1))
        assert (out / LOCK).read_text().strip() == str(os.getpid())
    assert len(read_runs(out)) == 1
