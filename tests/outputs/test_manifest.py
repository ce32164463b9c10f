"""The manifest (simulation.outputs.manifest): provenance, the lewsim mark, git state."""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime

import numpy as np
import pytest

from simulation import __version__
from simulation.outputs.manifest import (
    MANIFEST_FORMAT,
    RECORDED_PACKAGES,
    Manifest,
    build_manifest,
    git_state,
    manifest_json,
    read_manifest,
    to_jsonable,
    unicode_text,
)

STARTED = datetime(2025, 1, 1, tzinfo=UTC)


def small_manifest(**overrides) -> Manifest:
    settings = dict(
        steps=1, seed=0, replications=2, seeds=[11, 12], params={"n_orgs": 4},
        started_at=STARTED, wall_time_seconds=0.5,
        command_line=["lewsim", "run", "--set", "n_orgs=4"],
    )  # fmt: skip
    return build_manifest(**{**settings, **overrides})


def test_build_manifest_records_the_run_and_marks_it_as_lewsims():
    manifest = small_manifest()
    assert isinstance(manifest, Manifest)
    assert manifest["format"] == MANIFEST_FORMAT
    assert manifest["lewsim_version"] == __version__
    assert manifest["command_line"] == "lewsim run --set n_orgs=4"
    assert manifest["argv"] == ["lewsim", "run", "--set", "n_orgs=4"]
    assert manifest["started_at"] == "2025-01-01T00:00:00+00:00"
    assert (manifest["steps"], manifest["seed"], manifest["seeds"]) == (1, 0, [11, 12])
    assert manifest["params"]["n_orgs"] == 4 and len(manifest["params"]) > 10
    assert set(manifest["packages"]) == set(RECORDED_PACKAGES)
    assert "scenario" not in manifest and "seed" in manifest
    assert manifest.get("scenario") is None and manifest.get("seed") == 0


def test_build_manifest_refuses_a_naive_time_and_inconsistent_seeds():
    with pytest.raises(ValueError, match="timezone"):
        small_manifest(started_at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="one seed per replication"):
        small_manifest(seeds=[1])
    with pytest.raises(ValueError, match="seed"):
        small_manifest(seed=-1)


def test_sections_are_written_after_the_common_fields_and_read_back():
    manifest = small_manifest()
    manifest["scenario"] = {"name": "plan", "months": (3, 6)}
    manifest["patterns_held"] = np.int64(7)
    text = manifest_json(manifest)
    assert text.endswith("}\n")
    written = json.loads(text)
    assert list(written)[0] == "format" and list(written)[-2:] == ["scenario", "patterns_held"]
    assert written["scenario"] == {"name": "plan", "months": [3, 6]}
    again = read_manifest(text)
    assert again is not None and again["patterns_held"] == 7
    assert manifest_json(again) == text
    # A dict with the fields (as a command may pass) is checked and written the same way.
    assert manifest_json(json.loads(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        '{"app": 1}',
        "not json",
        "[]",
        "",
        "{}",
    ],
    ids=["users-own", "not-json", "list", "empty", "empty-object"],
)
def test_read_manifest_returns_none_for_anything_but_a_lewsim_manifest(text):
    assert read_manifest(text) is None


def test_a_manifest_without_the_lewsim_mark_is_not_lewsims():
    written = json.loads(manifest_json(small_manifest()))
    assert read_manifest(json.dumps(written)) is not None
    del written["format"]
    assert read_manifest(json.dumps(written)) is None
    written["format"] = "someone-else/1"
    assert read_manifest(json.dumps(written)) is None
    with pytest.raises(ValueError):
        manifest_json(written)


def test_to_jsonable_converts_tuples_numpy_nan_and_models():
    converted = to_jsonable({"t": (1, 2), "n": np.int64(3), "x": float("nan"), "a": np.ones(2)})
    assert converted == {"t": [1, 2], "n": 3, "x": None, "a": [1.0, 1.0]}
    assert type(converted["n"]) is int
    assert to_jsonable({"m": small_manifest()})["m"]["seeds"] == [11, 12]
    with pytest.raises(TypeError):
        to_jsonable({"bad": object()})


def test_git_state_outside_a_repository_is_none(tmp_path):
    assert git_state(tmp_path) == (None, None)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_state_counts_only_tracked_changes_and_takes_no_lock(tmp_path):
    def git(*args):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    git("init", "-q")
    assert git_state(tmp_path) == (None, None)  # no commit yet
    tracked = tmp_path / "file.txt"
    tracked.write_text("one")
    git("add", "file.txt")
    git("commit", "-q", "-m", "first")
    head = git("rev-parse", "HEAD")
    assert git_state(tmp_path) == (head, False)

    # An untracked file (a results directory, a notebook) did not change the code.
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "manifest.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("mine")
    assert git_state(tmp_path) == (head, False)

    # A touched but unchanged file makes plain `git status` refresh and rewrite the index
    # (taking index.lock); the manifest's query must leave the index alone.
    index = tmp_path / ".git" / "index"
    before = index.stat().st_mtime_ns
    os.utime(tracked, ns=(before + 5 * 10**9, before + 5 * 10**9))
    assert git_state(tmp_path) == (head, False)
    assert index.stat().st_mtime_ns == before

    tracked.write_text("two")
    assert git_state(tmp_path) == (head, True)
    git("add", "file.txt")  # staged but not committed is still a change
    assert git_state(tmp_path) == (head, True)


def test_undecoded_file_names_are_recorded_as_the_utf_8_they_are():
    # Python under LC_ALL=C reads the name b"\xc3\xa9.toml" (é.toml) as two surrogates.
    undecoded = b"\xc3\xa9.toml".decode("ascii", "surrogateescape")
    assert unicode_text(undecoded) == "é.toml"
    assert unicode_text(b"\xff.toml".decode("ascii", "surrogateescape")) == "\ufffd.toml"
    assert unicode_text("\ud800 lone") == "? lone"  # no byte behind it: replaced
    assert unicode_text("plain é") == "plain é"


def test_a_manifest_with_an_undecoded_name_is_still_read_back_as_a_manifest():
    undecoded = b"caf\xc3\xa9.toml".decode("ascii", "surrogateescape")
    manifest = small_manifest(command_line=["lewsim", "run", undecoded])
    manifest["scenario"] = {"path": undecoded, undecoded: 1}
    again = read_manifest(manifest_json(manifest))
    assert again is not None
    assert again["scenario"] == {"path": "café.toml", "café.toml": 1}
    assert again["argv"][-1] == "café.toml"
