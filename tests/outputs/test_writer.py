"""The atomic writer's safety (simulation.outputs.files): a user's files are never touched,
a result is replaced only when asked, bad destinations are refused before anything runs,
and a writer killed at any point leaves the earlier result recoverable and nothing behind.
"""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import simulation
from simulation.core.errors import OutputError
from simulation.outputs.files import (
    RUN_FILES,
    check_destination,
    is_lewsim_result,
    write_directory,
    write_run,
)
from simulation.outputs.manifest import build_manifest, manifest_json

REPO = Path(simulation.__file__).resolve().parent.parent


def manifest(seed: int = 1):
    return build_manifest(
        steps=1, seed=seed, replications=1, seeds=[seed], params={},
        started_at=datetime(2025, 1, 1, tzinfo=UTC), wall_time_seconds=0.0,
    )  # fmt: skip


def frame(value: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"month": [0, 1], "peer_workers": [value, value]})


def write(out: Path, seed: int, *, replace: bool = False) -> Path:
    return write_run(out, frame(float(seed)), manifest(seed), Figure(), replace=replace)


def seed_of(out: Path) -> int:
    return json.loads((out / "manifest.json").read_text())["seed"]


def hidden(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.startswith("."))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


# --- a user's files ---------------------------------------------------------------------


def users_directory(tmp_path: Path) -> Path:
    """The issue's reproduction: a directory of the user's own files."""
    mine = tmp_path / "u"
    mine.mkdir()
    (mine / "manifest.json").write_text('{"app":1}\n')
    (mine / "survey.csv").write_text("id,x\n")
    (mine / "photo.png").write_text("x\n")
    return mine


@pytest.mark.parametrize("replace", [False, True])
def test_a_users_files_are_never_replaced(tmp_path, replace):
    mine = users_directory(tmp_path)
    before = snapshot(mine)
    with pytest.raises(OutputError, match="not a lewsim result") as caught:
        check_destination(mine, replace=replace)
    message = str(caught.value)
    assert str(mine) in message and "never" in message and "\n" not in message
    with pytest.raises(OutputError, match="not a lewsim result"):
        write(mine, 2, replace=replace)
    assert snapshot(mine) == before
    assert [path.name for path in tmp_path.iterdir()] == ["u"]  # no staging left either
    assert not is_lewsim_result(mine)


@pytest.mark.parametrize(
    "added", ["survey.csv", "notes.txt", ".hidden", "folder/", "link"], ids=lambda name: name
)
def test_a_result_with_a_users_file_added_is_no_longer_replaceable(tmp_path, added):
    out = write(tmp_path / "run", 1)
    if added == "folder/":
        (out / "folder").mkdir()
    elif added == "link":
        (out / "link").symlink_to(out / "timeseries.csv")
    else:
        (out / added).write_text("mine")
    before = snapshot(out) if added != "folder/" else None
    with pytest.raises(OutputError, match="not a lewsim result"):
        write(out, 2, replace=True)
    if before is not None:
        assert snapshot(out) == before
    assert seed_of(out) == 1 and hidden(tmp_path) == []


def test_a_manifest_that_only_looks_like_lewsims_does_not_make_a_result(tmp_path):
    out = write(tmp_path / "run", 1)
    written = json.loads((out / "manifest.json").read_text())
    del written["format"]  # e.g. a result written before manifests were marked
    (out / "manifest.json").write_text(json.dumps(written))
    with pytest.raises(OutputError, match="manifest.json is not a lewsim manifest"):
        check_destination(out, replace=True)
    # A link to a real manifest is not one either.
    other = write(tmp_path / "other", 2)
    (out / "manifest.json").unlink()
    (out / "manifest.json").symlink_to(other / "manifest.json")
    with pytest.raises(OutputError, match="not a lewsim manifest"):
        check_destination(out, replace=True)


# --- replacing a result -------------------------------------------------------------------


def test_a_result_is_replaced_only_when_asked(tmp_path):
    out = write(tmp_path / "run", 1)
    assert is_lewsim_result(out)
    with pytest.raises(OutputError, match=r"earlier lewsim result; replace it with --force"):
        write(out, 2)
    assert seed_of(out) == 1
    assert check_destination(out, replace=True) == out
    write(out, 2, replace=True)
    assert seed_of(out) == 2 and sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    assert hidden(tmp_path) == []


def test_an_empty_directory_is_used_without_asking(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert check_destination(out, replace=False) == out
    assert seed_of(write(out, 1)) == 1


def test_a_directory_changed_after_the_check_is_still_not_replaced(tmp_path, monkeypatch):
    """The set-aside directory is checked again just before the old result is deleted."""
    import simulation.outputs.files as files

    out = write(tmp_path / "run", 1)
    real_write_file = files._write_file

    def user_adds_a_file_meanwhile(path, content):
        real_write_file(path, content)
        (out / "survey.csv").write_text("mine")

    monkeypatch.setattr(files, "_write_file", user_adds_a_file_meanwhile)
    with pytest.raises(OutputError, match="survey.csv"):
        write(out, 2, replace=True)
    assert (out / "survey.csv").read_text() == "mine" and seed_of(out) == 1
    assert hidden(tmp_path) == []


# --- bad destinations, refused before anything runs --------------------------------------


def bad_destinations(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Destination -> (path, expected words) for every way a path can be unusable."""
    (tmp_path / "x.txt").write_text("a file")
    (tmp_path / "link").symlink_to(tmp_path / "x.txt")
    cases = {
        "parent is a file": (tmp_path / "x.txt" / "sub", "x.txt is a file"),
        "deep parent is a file": (tmp_path / "x.txt" / "a" / "b", "x.txt is a file"),
        "target is a file": (tmp_path / "x.txt", "is a file or symbolic link"),
        "target is a link": (tmp_path / "link", "is a file or symbolic link"),
        "name over 255 bytes": (tmp_path / ("n" * 256), "256 bytes long"),
        "new parent over 255 bytes": (tmp_path / ("é" * 128) / "run", "256 bytes long"),
        "dot": (Path("."), "is the current directory"),
        "dot dot": (tmp_path / "sub" / "..", "cannot be a results directory"),
        "root": (Path("/"), "cannot be a results directory"),
        "current directory's parent": (Path.cwd().parent, "contains it"),
    }
    if Path("/proc/self").is_dir():
        cases["under /proc"] = (Path("/proc/x"), "cannot be written")
        cases["new directory under /proc"] = (Path("/proc/x/y"), "cannot be written")
    if Path("/sys/kernel").is_dir():
        cases["under /sys"] = (Path("/sys/kernel/lewsim-results"), "cannot be written")
    return cases


def test_bad_destinations_are_refused_with_one_line_naming_the_path(tmp_path):
    cases = bad_destinations(tmp_path)
    before = sorted(path.name for path in tmp_path.iterdir())
    refused = 0
    for label, (path, words) in cases.items():
        for replace in (False, True):
            with pytest.raises(OutputError) as caught:
                check_destination(path, replace=replace)
            message = str(caught.value)
            assert words in message, (label, message)
            assert "\n" not in message and (str(path) in message or repr(str(path)) in message)
            refused += 1
    assert refused == 2 * len(cases) >= 20
    assert sorted(path.name for path in tmp_path.iterdir()) == before  # nothing created


#: The unprivileged user a root test run checks as (root may write anywhere).
NOBODY = 65534


def refusal_as_unprivileged(path: Path) -> str:
    """The refusal of ``check_destination(path)`` by a user who cannot write there.

    Run as root (as CI is), the check runs in a forked child that first gives up root for
    ``nobody``: root writes through any permission bits, so only then is the refusal
    tested. Returns the refusal message, or ``"accepted"``.
    """
    if os.geteuid() != 0:
        try:
            check_destination(path, replace=False)
        except OutputError as error:
            return str(error)
        return "accepted"
    read, write_end = os.pipe()
    with warnings.catch_warnings():
        # pytest's own threads hold no lock the child needs: it only makes system calls.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        message = "accepted"
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            check_destination(path, replace=False)
        except OutputError as error:
            message = str(error)
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            message = f"child failed: {error!r}"
        finally:
            os.write(write_end, message.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(child, 0)
    return message


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A fresh directory that any user can pass through (pytest's is private to its user)."""
    directory = Path(tempfile.mkdtemp(prefix="lewsim-test-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_a_read_only_parent_is_refused(open_tmp):
    parent = open_tmp / "read-only"
    parent.mkdir()
    parent.chmod(0o555)
    message = refusal_as_unprivileged(parent / "run")
    assert message.startswith(f"{parent / 'run'} cannot be written: "), message
    assert "(Permission denied)" in message
    assert list(parent.iterdir()) == []
    # The same user may write where it is allowed: the refusal is the permission, not the user.
    parent.chmod(0o777)
    assert refusal_as_unprivileged(parent / "run") == "accepted"
    assert list(parent.iterdir()) == []


def test_a_long_name_within_the_limit_is_written_and_replaced(tmp_path):
    out = tmp_path / ("r" * 250)  # too long for ".NAME.tmp-PID-XXXXXXXX" siblings
    write(out, 1)
    write(out, 2, replace=True)
    assert seed_of(out) == 2 and hidden(tmp_path) == []


def test_missing_parents_are_checked_without_being_left_behind(tmp_path):
    out = tmp_path / "a" / "b" / "run"
    assert check_destination(out, replace=False) == out
    assert list(tmp_path.iterdir()) == []


# --- failures while writing ------------------------------------------------------------------


def test_a_full_disk_is_an_output_error_and_the_earlier_result_stays(tmp_path, monkeypatch):
    out = write(tmp_path / "run", 1)
    before = snapshot(out)

    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError) as caught:
        write(out, 2, replace=True)
    message = str(caught.value)
    assert message.startswith(str(out)) and "No space left on device" in message
    assert "\n" not in message and "nothing there was changed" in message
    monkeypatch.undo()
    assert snapshot(out) == before and hidden(tmp_path) == []


def test_a_failed_swap_puts_the_earlier_result_back(tmp_path, monkeypatch):
    out = write(tmp_path / "run", 1)
    before = snapshot(out)
    real_rename = os.rename

    def refuse_staging(source, destination):
        if ".tmp-" in os.fspath(source):
            raise OSError(errno.EIO, os.strerror(errno.EIO), os.fspath(source))
        real_rename(source, destination)

    monkeypatch.setattr(os, "rename", refuse_staging)
    with pytest.raises(OutputError, match="Input/output error"):
        write(out, 2, replace=True)
    monkeypatch.undo()
    assert snapshot(out) == before and hidden(tmp_path) == []


def test_an_interrupt_while_writing_removes_the_staging_directory(tmp_path, monkeypatch):
    import simulation.outputs.files as files

    out = write(tmp_path / "run", 1)

    def interrupted(path, content):
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_write_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write(out, 2, replace=True)
    assert seed_of(out) == 1 and hidden(tmp_path) == []


def test_siblings_of_a_live_writer_are_left_alone(tmp_path):
    out = write(tmp_path / "run", 1)
    # This process (alive) owns them, as another lewsim writing right now would.
    live = tmp_path / f".run.tmp-{os.getpid()}-0123abcd"
    live.mkdir()
    # A dead writer's (pid above the kernel's maximum) is reaped.
    dead = tmp_path / ".run.tmp-99999999-0123abcd"
    dead.mkdir()
    (dead / "timeseries.csv").write_text("partial")
    write(out, 2, replace=True)
    assert hidden(tmp_path) == [live.name]


# --- a writer killed at any point --------------------------------------------------------------

#: Writes seed 2 into argv[1], pausing (with a line on stdout) at the point named by argv[2]:
#: "files" after the first file of the staging directory, "swap" between the two renames.
PAUSED_WRITER = textwrap.dedent(
    """
    import os
    import sys
    import time
    from datetime import UTC, datetime

    import pandas as pd
    from matplotlib.figure import Figure

    import simulation.outputs.files as files
    from simulation.outputs.manifest import build_manifest

    out, where = sys.argv[1], sys.argv[2]
    real_write_file, real_rename = files._write_file, os.rename

    def pause(point):
        print(point, flush=True)
        time.sleep(120)

    def slow_write_file(path, content):
        real_write_file(path, content)
        if where == "files":
            pause("writing")

    def slow_rename(source, destination):
        real_rename(source, destination)
        if where == "swap" and ".old-" in os.fspath(destination):
            pause("swapping")

    files._write_file = slow_write_file
    os.rename = slow_rename
    manifest = build_manifest(
        steps=1, seed=2, replications=1, seeds=[2], params={},
        started_at=datetime.now(UTC), wall_time_seconds=0.0,
    )
    frame = pd.DataFrame({"month": [0, 1], "peer_workers": [2.0, 2.0]})
    files.write_run(out, frame, manifest, Figure(), replace=True)
    """
)


def kill_writer_at(tmp_path: Path, out: Path, where: str) -> int:
    """Run the paused writer, SIGKILL it at ``where``; return its process id."""
    script = tmp_path.parent / f"{tmp_path.name}-writer.py"
    script.write_text(PAUSED_WRITER)
    environment = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    process = subprocess.Popen(
        [sys.executable, str(script), str(out), where],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line in ("writing", "swapping"), process.stderr.read()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)  # reaped: no zombie that looks alive
    return process.pid


@pytest.mark.slow
def test_a_writer_killed_while_writing_leaves_the_earlier_result_and_is_reaped(tmp_path):
    out = write(tmp_path / "run", 1)
    before = snapshot(out)
    pid = kill_writer_at(tmp_path, out, "files")
    leftovers = hidden(tmp_path)
    assert len(leftovers) == 1 and leftovers[0].startswith(f".run.tmp-{pid}-")
    assert snapshot(out) == before  # the earlier result is intact
    write(out, 3, replace=True)  # the next write reaps the dead writer's staging directory
    assert seed_of(out) == 3 and hidden(tmp_path) == []


@pytest.mark.slow
def test_a_writer_killed_between_the_renames_gets_the_earlier_result_back(tmp_path):
    out = write(tmp_path / "run", 1)
    before = snapshot(out)
    pid = kill_writer_at(tmp_path, out, "swap")
    assert not out.exists()  # the kill came after the earlier result was set aside...
    assert [name.split("-")[0] for name in hidden(tmp_path)] == [".run.old", ".run.tmp"]
    assert all(f"-{pid}-" in name for name in hidden(tmp_path))
    # ...and the next check or write puts it back (and, not asked to replace, refuses).
    with pytest.raises(OutputError, match="earlier lewsim result"):
        write(out, 3)
    assert snapshot(out) == before and hidden(tmp_path) == []


def test_write_directory_refuses_odd_file_names_before_touching_anything(tmp_path):
    content = manifest_json(manifest(1))
    for name in ("notes.txt", "../up.csv", ".hidden.csv", "sub/x.csv", ""):
        with pytest.raises(ValueError, match="cannot write"):
            write_directory(tmp_path / "out", {"manifest.json": content, name: "x"})
    assert list(tmp_path.iterdir()) == []
