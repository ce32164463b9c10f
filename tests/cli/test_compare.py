"""``lewsim compare``: what it prints, where it writes, and how it refuses bad input."""

from __future__ import annotations

import json
import re

import pytest
from conftest import CHAMPION_SCENARIO as CHAMPION
from typer.testing import CliRunner

from simulation.cli import app
from simulation.cli.compare import default_stem
from simulation.runs.pool import available_cores

BASELINE = """
name = "base"
description = "A small sector left alone."
steps = 24
replications = 3
seed = 11

[parameters]
n_orgs = 4
"""

# The same scenario under another name.
COPY = BASELINE.replace('name = "base"', 'name = "copy"')


REPORT_FILES = [
    "differences.csv",
    "differences.png",
    "manifest.json",
    "outcomes.png",
    "report.html",
    "timeseries.parquet",
]

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("scenarios")
    paths = {}
    short = BASELINE.replace("steps = 24", "steps = 6").replace(
        "replications = 3", "replications = 2"
    )
    texts = {"base": BASELINE, "copy": COPY, "champion": CHAMPION}
    texts["short"] = short.replace('name = "base"', 'name = "short"')
    texts["short-copy"] = short.replace('name = "base"', 'name = "short-copy"')
    for name, text in texts.items():
        paths[name] = directory / f"{name}.toml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def invoke(*args: str):
    return runner.invoke(app, ["compare", *args])


def test_compare_prints_the_differences_and_writes_the_report(files, tmp_path):
    out = tmp_path / "comparison"
    result = invoke(str(files["base"]), str(files["champion"]), "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "Compared champion with base: 3 paired replication(s) x 24 months" in result.stdout
    assert "Differences at 2 years (month 24)" in result.stdout
    assert re.search(r"champion\s+peer workers\s", result.stdout)
    assert "Note: 'champion' sets" in result.stdout
    assert f"report: {out / 'report.html'}" in result.stdout
    assert sorted(path.name for path in out.iterdir()) == REPORT_FILES
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["baseline"] == "base"
    assert [entry["name"] for entry in manifest["scenarios"]] == ["base", "champion"]


def test_quiet_prints_the_report_path_and_notes_on_stderr(files, tmp_path):
    out = tmp_path / "quiet"
    args = [str(files["base"]), str(files["champion"]), "--out", str(out), "--quiet"]
    result = invoke(*args, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out / "report.html")
    assert result.stderr.startswith("lewsim compare: note: 'champion' sets")


def test_a_long_default_name_falls_back_to_comparison():
    assert default_stem(["base", "copy"]) == "compare-base-vs-copy"
    assert default_stem(["b", "x" * 40, "y" * 40]) == "comparison"


@pytest.mark.slow
def test_new_numbered_directories_by_default_and_replacing_only_with_force(
    files, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    args = [str(files["short"]), str(files["short-copy"]), "--quiet", "--workers", "1"]
    results = tmp_path / "results"
    for expected in ("compare-short-vs-short-copy-001", "compare-short-vs-short-copy-002"):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(results / expected / "report.html")

    out = results / "compare-short-vs-short-copy-001"
    before = (out / "manifest.json").read_bytes()
    refused = invoke(*args, "--out", str(out))
    assert refused.exit_code == 2
    assert (
        refused.stderr.startswith("lewsim compare: error: --out:") and "--force" in refused.stderr
    )
    assert (out / "manifest.json").read_bytes() == before
    forced = invoke(*args, "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "manifest.json").read_bytes() != before
    assert sorted(path.name for path in out.iterdir()) == REPORT_FILES
    assert len(list(results.iterdir())) == 2  # nothing left behind


@pytest.mark.parametrize(
    ("second", "extra", "message"),
    [
        ("missing", [], "no such scenario file"),
        ("broken", [], "broken.toml: "),
        ("base", [], "scenario names must be distinct"),
        ("copy", ["--months", "12,48"], "--months: month 48 is outside"),
        ("copy", ["--months", "twelve"], "--months: expected whole months"),
        ("copy", ["--workers", "0"], "--workers must be an integer >= 1"),
        ("copy", ["--workers", "1000"], f"the {available_cores()} CPU core(s) of this machine"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    files, tmp_path, second, extra, message
):
    (tmp_path / "broken.toml").write_text('name = "broken"\nsteps = "ten"\n')
    paths = {**files, "missing": tmp_path / "missing.toml", "broken": tmp_path / "broken.toml"}
    out = tmp_path / "comparison"
    result = invoke(str(files["base"]), str(paths[second]), *extra, "--out", str(out))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lewsim compare: error: ")
    assert message in lines[0]
    assert not out.exists()


def test_a_single_file_is_refused(files, tmp_path):
    result = invoke(str(files["base"]), "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "at least one alternative" in result.stderr
    assert not (tmp_path / "x").exists()
