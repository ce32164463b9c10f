"""The command line under a C locale and with a standard output that cannot be written.

Each case runs ``python -m simulation`` in a process of its own: the locale is read at
start-up, and standard output must be a real file descriptor (``/dev/full``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TINY = ["--steps", "2", "--replications", "1", "--set", "n_orgs=2", "--quiet"]

pytestmark = pytest.mark.skipif(
    not Path("/dev/full").exists() or os.name != "posix", reason="needs /dev/full and POSIX"
)


def lewsim(*args: str, cwd: Path, stdout=subprocess.PIPE, **environment: str):
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **environment},
        timeout=300,
    )


def test_a_non_ascii_scenario_name_under_a_c_locale_runs_and_is_recorded_readably(tmp_path):
    (tmp_path / "é.toml").write_text('name = "accent"\nsteps = 2\nreplications = 1\n')
    result = lewsim(
        "run", "é.toml", *TINY, "--out", "résultats", cwd=tmp_path, LC_ALL="C", PYTHONUTF8="0"
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "résultats" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["path"] == "é.toml"
    assert "é.toml" in manifest["command_line"]
    assert sorted(manifest["files"]) == sorted(
        path.name for path in (tmp_path / "résultats").iterdir()
    )


def test_results_written_before_standard_output_fails_are_kept_and_said_to_be_there(tmp_path):
    with open("/dev/full", "w") as full:
        result = lewsim("run", *TINY, "--out", "out", cwd=tmp_path, stdout=full)
    assert result.returncode == 1, result.stderr
    out = tmp_path / "out"
    assert result.stderr.strip() == (
        "lewsim run: error: cannot write to standard output (No space left on device); "
        f"results are in {out}"
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(path.name for path in out.iterdir())
    assert "cannot write results" not in result.stderr


def test_a_command_that_only_prints_says_nothing_was_written(tmp_path):
    with open("/dev/full", "w") as full:
        result = lewsim("params", cwd=tmp_path, stdout=full)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "lewsim params: error: cannot write to standard output (No space left on device); "
        "nothing written"
    )
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


def test_bad_input_with_a_full_standard_output_is_still_bad_input(tmp_path):
    with open("/dev/full", "w") as full:
        result = lewsim("run", "--steps", "0", cwd=tmp_path, stdout=full)
    assert result.returncode == 2
    assert result.stderr.startswith("lewsim run: error: --steps")
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_that_is_not_utf_8_runs_and_is_recorded_with_a_replacement_character(
    tmp_path,
):
    name = b"x\xff.toml"  # a byte no encoding of the name can give: Latin-1 on a UTF-8 system
    with open(os.path.join(os.fsencode(tmp_path), name), "w") as file:
        file.write('name = "latin"\nsteps = 2\nreplications = 1\n')
    result = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"simulation", b"run", name, *map(str.encode, TINY)]
        + [b"--out", b"out"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["path"] == "x\ufffd.toml"
