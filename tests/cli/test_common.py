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
from conftest import default_sigint
from typer.testing import CliRunner

from simulation.cli import app
from simulation.cli.assignments import MAX_SET_DEPTH, parse_value
from simulation.cli.destinations import first_unused
from simulation.cli.footprints import format_duration
from simulation.core.errors import InputError
from simulation.runs.pool import available_cores

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
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=default_sigint,
    )
    # Starting takes a few seconds; 120 s is a margin for a loaded machine. The run itself
    # (600 months x 500 replications) lasts far longer than any test waits.
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
    stdout, stderr = process.communicate(timeout=60)  # exits within a second; a margin
    assert process.returncode == exit_code, stderr
    assert stdout == b""
    assert stderr.decode().splitlines()[-1] == "lewsim run: interrupted; nothing written"
    assert "Traceback" not in stderr.decode()
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [] or list((tmp_path / "results").iterdir()) == []


# ---- --set values that would exhaust the parser ---------------------------------------


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 9 + "]" * 9, "[" + '{"a": ' * 20 + "1"])
def test_a_value_nested_too_deeply_is_an_input_error_not_a_recursion_error(text):
    with pytest.raises(InputError, match=f"nested more than {MAX_SET_DEPTH} deep"):
        parse_value(text)


def test_nesting_up_to_the_limit_is_read_and_brackets_in_strings_do_not_count():
    deepest = "[" * MAX_SET_DEPTH + "1" + "]" * MAX_SET_DEPTH
    assert parse_value(deepest) == ([[[[[[[1]]]]]]],)
    assert parse_value('["[[[[[[[[[[[[", "\\\\"]') == ("[[[[[[[[[[[[", "\\")


def test_a_whole_number_beyond_pythons_digit_limit_is_refused_not_read_as_infinity():
    with pytest.raises(InputError, match="a whole number of 5,000 characters is too large"):
        parse_value("9" * 5000)
    assert parse_value("-1_000") == -1000
    assert parse_value("1__0") == "1__0"  # not a number: left to the parameter to refuse


def test_a_long_value_that_is_not_json_is_shown_cut_short():
    with pytest.raises(InputError) as caught:
        parse_value("[" + "1," * 10_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[" * 500, "--set exposure_mix: lists nested more than 8 deep"),
        ("[" * 50_000, "--set exposure_mix: a value of 50,000 characters ('[[[[[[[[[[[[[[[[[[[["),
        ("0.5," * 300, "--set exposure_mix: a value of 1,200 characters"),
    ],
)
def test_a_too_deep_or_too_long_value_exits_2_naming_the_parameter(tmp_path, value, message):
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "--set", f"exposure_mix={value}", "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"lewsim run: error: {message}")
    assert len(result.stderr) < 300
    assert not out.exists()


@pytest.mark.parametrize(
    ("count", "text"),
    [(5, "5 s"), (600, "10 min"), (3 * 3600, "3.0 h"), (5 * 86400, "5.0 days")],
)
def test_durations_are_said_as_a_person_would(count, text):
    assert format_duration(count) == text
