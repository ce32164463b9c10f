"""experiments/ema_example.py: lewsim's experiment() as an EMA-workbench model function."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from simulation.core.outcomes import DEFAULT_OUTCOMES, experiment

EXAMPLE = Path(__file__).resolve().parents[1] / "experiments" / "ema_example.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("ema_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TINY = ["--experiments", "3", "--steps", "3", "--n-orgs", "3", "--seed", "5"]


def test_the_plain_loop_runs_each_design_point_through_experiment(example, capsys):
    table = example.main([*TINY, "--no-ema"])
    printed = capsys.readouterr().out
    assert "plain loop" in printed
    assert list(table.columns) == [*example.UNCERTAINTIES, *DEFAULT_OUTCOMES]
    assert len(table) == 3
    for name, (low, high) in example.UNCERTAINTIES.items():
        assert table[name].between(low, high).all()
        assert table[name].nunique() == 3  # a Latin hypercube: one point per stratum
    assert len(printed.strip().splitlines()) == 1 + 1 + 3  # heading, header, one per row
    # Each row is what experiment() gives for that row's parameters.
    row = table.iloc[1]
    params = {name: float(row[name]) for name in example.UNCERTAINTIES}
    expected = experiment(steps=3, seed=5, n_orgs=3, **params)
    assert row[list(DEFAULT_OUTCOMES)].to_dict() == expected


def test_bad_sizes_are_refused(example, capsys):
    with pytest.raises(SystemExit) as stopped:
        example.main(["--experiments", "0", "--no-ema"])
    assert stopped.value.code == 2
    assert "--experiments and --steps must be at least 1" in capsys.readouterr().err


def test_the_workbench_gives_the_plain_loops_table(example):
    # The dev extra installs ema_workbench: a missing one fails here rather than skipping.
    assert example.ema_installed(), "ema_workbench is missing: pip install -e '.[dev]'"
    constants = {"n_orgs": 3}
    through_ema = example.ema_experiments(3, 3, 5, constants)
    plain = example.plain_experiments(3, 3, 5, constants)
    pd.testing.assert_frame_equal(through_ema, plain)
