"""What every command shares: help, workers, the destination policy and signals."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.cli.common import available_cores, first_unused

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("run", "compare", "validate", "params")

runner = CliRunner()


def option_entries(help_text: str) -> dict[str, str]:
    """The options section of a help text: option name to its usage and help, one line."""
    entries: dict[str, str] = {}
    current = None
    for line in help_text.split("Options:", 1)[1].splitlines():
        stripped = line.strip()
        if line.startswith("  -"):
            names = stripped.split("  ", 1)[0]
            current = next(name for name in names.replace(",", " ").split() if name[:2] == "--")
            entries[current] = stripped
        elif stripped and current:
            entries[current] += " " + stripped
    return entries


FLAGS = ("--quick", "--force", "--strict", "--quiet", "--json", "--help", "--version")
DEFAULTS = {
    "run": ("--steps", "--seed", "--replications", "--out"),
    "compare": ("--out", "--months", "--workers"),
    "validate": ("--seeds", "--pattern", "--seed", "--workers", "--out"),
    "params": (),
}


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_flags_without_a_value_and_options_with_their_default(command):
    result = runner.invoke(app, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    entries = option_entries(result.stdout)
    assert "--help" in entries
    for flag in FLAGS:
        if flag in entries:
            usage = entries[flag].split("  ", 1)[0]  # e.g. "-q, --quiet": no placeholder
            assert usage.endswith(flag), entries[flag]
    for option in DEFAULTS.get(command, ()):
        assert "[default: " in entries[option], entries[option]


def test_top_level_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    for command in COMMANDS:
        assert f"  {command} " in result.stdout


def test_a_flag_given_a_value_is_refused():
    result = runner.invoke(app, ["validate", "--quick", "true", "--out", "x"])
    assert result.exit_code == 2
    assert "true" in result.output
    assert not Path("x").exists()


def test_workers_are_capped_at_the_cores(tmp_path):
    cores = available_cores()
    out = tmp_path / "v"
    result = runner.invoke(app, ["validate", "--workers", str(cores + 1), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"lewsim validate: error: --workers {cores + 1} is more than the {cores} CPU core(s) "
        f"of this machine; give 1 to {cores} (the results are the same for any number)"
    )
    assert not out.exists()


def test_first_unused_takes_the_smallest_free_number(tmp_path):
    assert first_unused(tmp_path, "run") == tmp_path / "run-001"
    (tmp_path / "run-001").mkdir()
    (tmp_path / "run-003").write_text("a file counts as used")
    assert first_unused(tmp_path, "run") == tmp_path / "run-002"
    (tmp_path / "run-002").symlink_to(tmp_path / "nowhere")  # so does a dangling link
    assert first_unused(tmp_path, "run") == tmp_path / "run-004"


def _start_long_run(out: Path) -> subprocess.Popen:
    """``lewsim run`` long enough to be interrupted, once its progress bar has appeared."""
    code = "from simulation.cli import app; app(prog_name='lewsim')"
    args = ["run", "--steps", "600", "--replications", "500", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    seen, deadline = b"", time.monotonic() + 120
    while b"replications:" not in seen:
        assert time.monotonic() < deadline, "the run never started"
        ready, _, _ = select.select([process.stderr], [], [], 1.0)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, f"the run stopped early: {seen!r}"
            seen += chunk
    return process


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signal_number", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_an_interrupted_run_says_so_exits_cleanly_and_writes_nothing(
    tmp_path, signal_number, exit_code
):
    out = tmp_path / "results" / "run"
    process = _start_long_run(out)
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == exit_code, stderr
    assert stdout == b""
    assert stderr.decode().splitlines()[-1] == "lewsim run: interrupted; nothing written"
    assert "Traceback" not in stderr.decode()
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [] or list((tmp_path / "results").iterdir()) == []
