"""experiments/morris_screen.py: normalised Morris indices and flags of a finished screen."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.outputs.sweep_store import SweepStore
from simulation.runs.jobs import carry_out
from simulation.runs.sweeps import sweep_from_text

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "morris_screen.py"


def load_script():
    spec = importlib.util.spec_from_file_location("morris_screen", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["morris_screen"] = module
    spec.loader.exec_module(module)
    return module


ms = load_script()

#: A small screen: a factor that acts (hire_threshold), one no process of a run without
#: events reads (training_stigma, used only by the workforce-training intervention).
SCREEN = """
name = "tiny-screen"
steps = 12
seed = 5
design = "morris"
samples = 3
outputs = ["peer_workers", "mean_stigma"]
every = 6
[parameters.n_orgs]
levels = [4]
[parameters.hire_threshold]
range = [0.05, 0.5]
[parameters.training_stigma]
range = [0.05, 0.3]
"""


@pytest.fixture(scope="module")
def screen(tmp_path_factory):
    sweep = sweep_from_text(SCREEN)
    directory = tmp_path_factory.mktemp("screen") / "tiny-screen"
    store = SweepStore.open(directory, sweep)
    store.append([carry_out(sweep.job(run)) for run in sweep.runs()])
    return directory


@pytest.mark.slow
def test_mu_star_is_divided_by_the_outputs_spread_over_the_design(screen):
    indices = ms.normalised_indices(screen)
    assert set(indices["month"]) == {6, 12}
    assert set(indices["output"]) == {"peer_workers", "mean_stigma"}
    rows = indices[indices["output_sd"] > 0]
    np.testing.assert_allclose(rows["mu_star_norm"], rows["mu_star"] / rows["output_sd"])
    unused = indices[indices["factor"] == "training_stigma"]
    assert (unused["mu_star"] == 0).all()  # common random numbers: exactly no effect


@pytest.mark.slow
def test_a_factor_no_process_reads_is_inert_and_one_that_acts_is_not(screen):
    indices = ms.normalised_indices(screen)
    summary = ms.factor_summary(indices, noisy=()).set_index("factor")
    assert summary.loc["training_stigma", "flag"] == "inert"
    assert summary.loc["training_stigma", "max_norm"] == 0.0
    assert summary.loc["hire_threshold", "flag"] == "moves"  # no chance reference given
    assert summary.index[0] == "hire_threshold"  # largest first


def test_the_flags_follow_the_threshold_and_the_chance_reference():
    def row(factor, output, month, norm, chance):
        return {
            "factor": factor,
            "output": output,
            "month": month,
            "mu_star_norm": norm,
            "chance_norm": chance,
        }

    indices = pd.DataFrame(
        [
            row("a", "peer_workers", 120, 0.9, 0.5),  # above chance
            row("b", "peer_workers", 120, 0.2, 0.5),  # moves, but within chance
            row("b", "peer_workers", 36, 0.3, 0.5),
            row("c", "peer_workers", 120, 0.01, 0.5),
            row("c", "peer_leavers", 120, 2.0, 0.5),  # only a noisy output moves
            row("a", "peer_leavers", 120, 0.0, 0.5),
            row("b", "peer_leavers", 120, 0.0, 0.5),
        ]
    )
    summary = ms.factor_summary(indices).set_index("factor")
    assert summary["flag"].to_dict() == {"a": "moves", "b": "weak", "c": "inert"}
    assert summary.loc["c", "max_norm"] == 2.0  # the noisy output still shows in max_norm
    assert summary.loc["b", "max_norm_any_month"] == 0.3


def test_the_chance_reference_uses_salibs_morris_step():
    # mu* divides each output change by the step SALib took on the unit interval; the
    # chance reference must divide by the same step to be on mu*'s scale.
    from SALib.util import _compute_delta

    from simulation.runs.sweeps import MORRIS_LEVELS

    assert _compute_delta(MORRIS_LEVELS) == ms.MORRIS_STEP


@pytest.mark.slow
def test_the_chance_reference_is_the_mean_absolute_difference_of_two_seeds(screen):
    chance = ms.chance_reference(screen, seeds=4).set_index(["output", "month"])
    assert set(chance.index) == {(o, m) for o in ("peer_workers", "mean_stigma") for m in (6, 12)}
    expected = 2 * chance["seed_sd"] / math.sqrt(math.pi) / ms.MORRIS_STEP
    np.testing.assert_allclose(chance["chance_mu_star"], expected)
    assert (chance["seed_sd"] > 0).all()  # different seeds give different sectors


@pytest.mark.slow
def test_by_default_the_files_go_into_the_screens_folder_not_the_committed_record(screen, capsys):
    # It once wrote experiments/sweeps/morris-all-results.csv whatever folder it analysed,
    # overwriting the committed record of the screen that docs/ODD.md tabulates.
    committed = SCRIPT.parent / "sweeps" / "morris-all-results.csv"
    before = committed.read_bytes()
    assert ms.main([str(screen), "--noise-seeds", "0"]) == 0
    assert committed.read_bytes() == before
    summary = pd.read_csv(screen / ms.SUMMARY_NAME)
    indices = pd.read_csv(screen / ms.INDICES_NAME)
    assert {"hire_threshold", "training_stigma"} <= set(summary["factor"])
    assert set(indices["month"]) == {12}
    assert "| hire_threshold |" in capsys.readouterr().out
