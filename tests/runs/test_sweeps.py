"""Sweep files, their designs, executors, failure isolation, the shard store and resume."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulation.core.outcomes as outcomes
import simulation.runs.jobs as jobs
from simulation import SectorModel, simulate
from simulation.core.environment import environment_at
from simulation.core.errors import InputError, OutputError
from simulation.outputs.sweep_store import SHARDS, SweepStore, read_runs
from simulation.runs.sweeps import (
    SweepError,
    design_size,
    execute,
    load_sweep,
    sweep_from_text,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "experiments" / "scenarios"

SMALL = """
name = "small"
steps = 6
replications = 2
seed = 3
outputs = ["peer_workers", "mean_stigma"]
[parameters.n_orgs]
levels = [3]
"""


def sweep_text(design: str, factors: str, extra: str = "") -> str:
    return f'name = "t"\nsteps = 6\ndesign = "{design}"\noutputs = ["peer_workers"]\n{extra}\n' + (
        textwrap.dedent(factors)
    )


THREE_FACTORS = """
[parameters.board_support]
range = [0.2, 0.8]
[parameters.n_orgs]
range = [3, 6]
[parameters.manager_network]
levels = [true, false]
"""


@pytest.mark.parametrize(
    ("design", "extra", "points"),
    [
        ("lhs", "samples = 8", 8),
        ("sobol", "samples = 8", 8 * (3 + 2)),
        ("morris", "samples = 4", 4 * (3 + 1)),
    ],
)
def test_sampling_designs_have_their_size_and_stay_in_bounds(design, extra, points):
    sweep = sweep_from_text(sweep_text(design, THREE_FACTORS, extra))
    assert len(sweep.points) == points
    assert sweep.n_runs == points  # one replication by default
    board = [point["board_support"] for point in sweep.points]
    orgs = [point["n_orgs"] for point in sweep.points]
    assert min(board) >= 0.2 and max(board) <= 0.8
    assert all(type(value) is int and 3 <= value <= 6 for value in orgs)
    assert {point["manager_network"] for point in sweep.points} == {True, False}
    assert sweep.units.shape == (points, 3)
    assert ((sweep.units >= 0) & (sweep.units <= 1)).all()


def test_a_factorial_design_is_every_combination_and_a_list_design_zips():
    factorial = sweep_from_text(
        sweep_text(
            "factorial",
            """
            [parameters.pay_parity]
            levels = [0.5, 1.0]
            [parameters.n_orgs]
            levels = [2, 3, 4]
            """,
        )
    )
    combos = {(point["pay_parity"], point["n_orgs"]) for point in factorial.points}
    assert combos == {(p, n) for p in (0.5, 1.0) for n in (2, 3, 4)}
    listed = sweep_from_text(
        sweep_text(
            "list",
            """
            [parameters.pay_parity]
            values = [0.5, 1.0, 0.7]
            [parameters.n_orgs]
            values = [2, 3, 4]
            """,
        )
    )
    assert [(p["pay_parity"], p["n_orgs"]) for p in listed.points] == [(0.5, 2), (1.0, 3), (0.7, 4)]


def test_run_ids_are_stable_and_distinct_and_replicates_share_seeds_across_points():
    text = sweep_text(
        "factorial", "[parameters.pay_parity]\nlevels = [0.5, 1.0]\n", "replications = 3"
    )
    runs = list(sweep_from_text(text).runs())
    again = list(sweep_from_text(text).runs())
    assert [run.run_id for run in runs] == [run.run_id for run in again]
    assert len({run.run_id for run in runs}) == 6
    by_point = {}
    for run in runs:
        by_point.setdefault(run.point, []).append(run.seed)
    assert by_point[0] == by_point[1]  # common random numbers
    assert len(set(by_point[0])) == 3


NO_DESIGN = 'name = "t"\nsteps = 6\noutputs = ["peer_workers"]\n'
NO_DESIGN_FACTORS = "[parameters.pay_parity]\nlevels = [1.0, 0.5]\n"

BAD_SWEEPS = [
    (
        NO_DESIGN + NO_DESIGN_FACTORS,
        "design: missing",
    ),
    (
        NO_DESIGN + 'design = "grid"\n' + NO_DESIGN_FACTORS,
        'design = "grid"',
    ),
    (
        sweep_text("factorial", "[parameters.pay_parity]\nlevels = [1.0, 0.5]", "colour = 1"),
        "colour: unknown field",
    ),
    (
        sweep_text("lhs", "[parameters.pay_parit]\nrange = [0.0, 1.0]", "samples = 4"),
        "did you mean pay_parity",
    ),
    (
        sweep_text("lhs", "[parameters.pay_parity]\nrange = [1.0, 0.5]", "samples = 4"),
        "low end must be below",
    ),
    (
        sweep_text("lhs", "[parameters.manager_network]\nrange = [0, 1]", "samples = 4"),
        "manager_network is not a number",
    ),
    (
        sweep_text("factorial", "[parameters.pay_parity]\nrange = [0.0, 1.0]"),
        "factorial design takes levels",
    ),
    (
        sweep_text(
            "list", "[parameters.pay_parity]\nvalues=[1.0]\n[parameters.n_orgs]\nvalues=[2, 3]"
        ),
        "same number of values",
    ),
    (sweep_text("sobol", THREE_FACTORS, "samples = 6"), "power of 2"),
    (sweep_text("lhs", THREE_FACTORS), "samples: missing"),
    (
        sweep_text("lhs", THREE_FACTORS, "samples = 4").replace('["peer_workers"]', '["peers"]'),
        "'peers' is not a sector column",
    ),
    (sweep_text("lhs", THREE_FACTORS, "samples = 4\nevery = 12"), "every = 12"),
    (
        sweep_text("lhs", "[parameters.board_support]\nrange = [0.0, 2.0]", "samples = 4"),
        "parameters.board_support: value 2.0 is not allowed",
    ),
    (sweep_text("lhs", THREE_FACTORS, "samples = 4\nreplications = 0"), "replications = 0"),
    (sweep_text("lhs", THREE_FACTORS, "samples = 4\nreplications = true"), "replications = true"),
    (sweep_text("lhs", THREE_FACTORS, "samples = 4\nscenario = 'nowhere.toml'"), "no such file"),
    (
        sweep_text("lhs", '[parameters."events.x.month"]\nrange = [0, 6]', "samples = 4"),
        "has no events",
    ),
    ("name = [", "invalid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SWEEPS)
def test_a_bad_sweep_file_is_refused_naming_the_field(text, message):
    with pytest.raises(SweepError) as caught:
        sweep_from_text(text, source="bad.toml")
    assert message in str(caught.value)
    assert all(line.startswith("bad.toml: ") for line in str(caught.value).splitlines())


def test_a_missing_or_oversized_sweep_file_is_refused(tmp_path):
    with pytest.raises(SweepError, match="no such sweep file"):
        load_sweep(tmp_path / "none.toml")
    with pytest.raises(SweepError, match="directory"):
        load_sweep(tmp_path)
    with pytest.raises(SweepError, match="not a regular file"):
        load_sweep("/dev/zero")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 1_000_001)
    with pytest.raises(SweepError, match="larger than"):
        load_sweep(big)


def test_an_event_field_is_a_factor(tmp_path):
    sweep = load_sweep(_write(tmp_path, "events.toml", _event_sweep()))
    months = sorted({point["events.exec-champion.month"] for point in sweep.points})
    assert months == [0, 6, 12]
    jobs = [sweep.job(run) for run in sweep.runs()]
    assert sorted({job.events[0]["month"] for job in jobs}) == [0, 6, 12]
    rows = _run_all(sweep, "sequential")
    assert (rows["status"] == "ok").all()
    at_six = rows.set_index("events.exec-champion.month")["champions@6"]
    assert at_six[0] >= 3 and at_six[6] >= 3  # appointed by month 6 in all three organisations
    untouched = simulate(steps=6, seed=rows["seed"].iloc[0], n_orgs=3)["champions"].iloc[-1]
    assert at_six[12] == untouched  # not yet appointed: the run is the sector without it


def test_two_factors_naming_one_event_field_are_refused(tmp_path):
    text = _event_sweep() + '    [parameters."events.0.month"]\n    levels = [3]\n'
    with pytest.raises(SweepError, match=r"events\.0\.month: the same event field as"):
        load_sweep(_write(tmp_path, "twice.toml", text))


@pytest.mark.parametrize(
    ("design", "factors", "extra"),
    [
        ("factorial", THREE_FACTORS.replace("range = [0.2, 0.8]", "levels = [0.2, 0.5, 0.8]")
         .replace("range = [3, 6]", "levels = [3, 4]"), ""),
        ("list", "[parameters.board_support]\nvalues = [0.1, 0.2, 0.3]", ""),
        ("lhs", THREE_FACTORS, "samples = 5"),
        ("sobol", THREE_FACTORS, "samples = 4"),
        ("morris", THREE_FACTORS, "samples = 3"),
    ],
)  # fmt: skip
def test_the_size_counted_before_building_is_the_size_built(design, factors, extra):
    sweep = sweep_from_text(sweep_text(design, factors, extra))
    assert design_size(sweep.spec, sweep.factors) == len(sweep.points) == len(sweep.units)


def _event_sweep() -> str:
    return f"""
    name = "when"
    scenario = "{SCENARIOS / "exec-champion.toml"}"
    steps = 12
    replications = 1
    design = "factorial"
    outputs = ["champions"]
    every = 6
    [parameters.n_orgs]
    levels = [3]
    [parameters."events.exec-champion.month"]
    levels = [0, 6, 12]
    """


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def _run_all(sweep, executor: str, workers: int = 1, directory: Path | None = None):
    rows = []
    jobs = (sweep.job(run) for run in sweep.runs())
    execute(jobs, rows.extend, executor=executor, workers=workers, flush_every=3)
    frame = pd.DataFrame([{**row, **row.pop("outcomes")} for row in rows])
    frame = frame.merge(
        pd.DataFrame(sweep.points).assign(point=range(len(sweep.points))), on="point"
    )
    return frame.sort_values("run_id").reset_index(drop=True)


def _small_lhs():
    return sweep_from_text(
        sweep_text(
            "lhs",
            "[parameters.board_support]\nrange = [0.2, 0.8]\n[parameters.n_orgs]\nlevels = [3]",
            "samples = 3\nreplications = 2",
        )
    )


@pytest.mark.slow
def test_outputs_are_identical_on_every_executor():
    sweep = _small_lhs()
    # Whole frames, every outcome and factor column, exactly; only the wall time differs.
    sequential = _run_all(sweep, "sequential").drop(columns="wall_time")
    assert {"peer_workers", "board_support", "n_orgs", "seed", "point"} <= set(sequential.columns)
    assert (sequential["status"] == "ok").all()
    pool = _run_all(sweep, "pool", workers=2).drop(columns="wall_time")
    pd.testing.assert_frame_equal(sequential, pool, check_exact=True)
    pytest.importorskip("distributed")
    dask = _run_all(sweep, "dask", workers=2).drop(columns="wall_time")
    pd.testing.assert_frame_equal(sequential, dask, check_exact=True)


def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(monkeypatch):
    sweep = _small_lhs()
    real, real_batch = jobs.run_outcomes, jobs.simulate_batch
    failing_seed = next(iter(sweep.runs())).seed
    batches = []

    def sometimes_broken(steps, seed, *args, **kwargs):
        if seed == failing_seed:
            raise RuntimeError("broken on purpose")
        return real(steps, seed, *args, **kwargs)

    def batch_sometimes_broken(steps, seeds, *args, **kwargs):
        batches.append(list(seeds))
        if failing_seed in seeds:
            raise RuntimeError("broken on purpose")
        return real_batch(steps, seeds, *args, **kwargs)

    monkeypatch.setattr(jobs, "run_outcomes", sometimes_broken)
    monkeypatch.setattr(jobs, "simulate_batch", batch_sometimes_broken)
    rows = _run_all(sweep, "sequential")
    # The failing run was in a batch with others, which were retried alone and succeeded.
    assert any(failing_seed in seeds and len(seeds) > 1 for seeds in batches)
    failed = rows[rows["status"] == "error"]
    assert len(failed) == 3  # replicate 0 of each of the three points shares that seed
    assert (failed["error"] == "RuntimeError: broken on purpose").all()
    assert failed["peer_workers"].isna().all()
    # Every other run has its outcomes (a sector of three organisations may end with no
    # peers, so the value itself is not asserted).
    assert rows.loc[rows["status"] == "ok", "peer_workers"].notna().all()
    assert len(rows) == sweep.n_runs


def test_the_store_writes_shards_and_resumes_without_duplicates(tmp_path):
    sweep = _small_lhs()
    store = SweepStore.open(tmp_path / "out", sweep)
    runs = list(sweep.runs())
    first = [jobs.carry_out(sweep.job(run)) for run in runs[:2]]
    store.append(first)
    stale = ".part-20240101T000000000000-123-abcdef.parquet.123.tmp"  # as _atomic names it
    (tmp_path / "out" / SHARDS / stale).write_bytes(b"half a shard")
    (tmp_path / "out" / SHARDS / ".part-backup.tmp").write_bytes(b"a user's")  # not lewsim's
    reopened = SweepStore.open(tmp_path / "out", sweep)
    hidden = [path.name for path in (tmp_path / "out" / SHARDS).glob(".*")]
    assert hidden == [".part-backup.tmp"]  # the stale temporary is reaped, nothing else
    done = reopened.done_ids()
    assert done == {run.run_id for run in runs[:2]}
    rest = [jobs.carry_out(sweep.job(run)) for run in runs if run.run_id not in done]
    reopened.append(rest)
    recorded = read_runs(tmp_path / "out")
    assert len(recorded) == sweep.n_runs
    assert recorded["run_id"].is_unique
    assert list(recorded.columns[:7]) == [
        "run_id",
        "point",
        "replicate",
        "seed",
        "status",
        "error",
        "wall_time",
    ]
    assert {"board_support", "n_orgs", "peer_workers"} <= set(recorded.columns)


def test_a_changed_sweep_is_refused_naming_what_changed(tmp_path):
    SweepStore.open(tmp_path / "out", _small_lhs())
    changed = sweep_from_text(
        sweep_text(
            "lhs",
            "[parameters.board_support]\nrange = [0.2, 0.9]\n[parameters.n_orgs]\nlevels = [3]",
            "samples = 3\nreplications = 2",
        )
    )
    with pytest.raises(InputError, match=r"parameters\.board_support\.range"):
        SweepStore.open(tmp_path / "out", changed)
    SweepStore.open(tmp_path / "out", changed, restart=True)  # asked for: starts again


def test_the_store_never_writes_into_a_directory_of_other_files(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "survey.csv").write_text("id,x\n")
    with pytest.raises(OutputError, match="not a lewsim sweep"):
        SweepStore.open(tmp_path / "mine", _small_lhs(), restart=True)
    assert (tmp_path / "mine" / "survey.csv").read_text() == "id,x\n"


def test_experiment_returns_final_outcomes_like_a_run():
    values = outcomes.experiment(steps=6, seed=4, n_orgs=3, pay_parity=0.5)
    assert set(values) == set(outcomes.DEFAULT_OUTCOMES)
    # Independently: the last month of simulate()'s frame for the same run.
    frame = simulate(steps=6, seed=4, n_orgs=3, pay_parity=0.5)
    assert values == {name: float(frame[name].iloc[-1]) for name in outcomes.DEFAULT_OUTCOMES}
    assert values != outcomes.experiment(steps=6, seed=5, n_orgs=3, pay_parity=0.5)  # seed used
    assert np.isfinite(list(values.values())).all()


def test_run_outcomes_reads_the_months_asked_for_off_the_run():
    values = jobs.run_outcomes(6, 4, {"n_orgs": 3}, outputs=["mean_stigma"], every=2)
    frame = simulate(steps=6, seed=4, n_orgs=3)
    assert values == {
        "mean_stigma": float(frame.loc[6, "mean_stigma"]),
        **{f"mean_stigma@{month}": float(frame.loc[month, "mean_stigma"]) for month in (2, 4, 6)},
    }
    assert len({values["mean_stigma@2"], values["mean_stigma@4"]}) == 2  # distinct months


def test_a_yearly_series_sweeps_over_a_range_as_a_constant():
    text = sweep_text("lhs", "[parameters.policy_pressure]\nrange = [0.2, 0.6]\n", "samples = 4")
    sweep = sweep_from_text(text)
    values = [point["policy_pressure"] for point in sweep.points]
    assert all(0.2 <= value <= 0.6 for value in values) and len(set(values)) == 4
    # The model reads the number as the same pressure every year: in every month of 25
    # years (the default series has 20 values and rises), and a run gives what a run of the
    # explicit constant series gives.
    job = sweep.job(next(iter(sweep.runs())))
    value = job.parameters["policy_pressure"]
    assert value in values
    model = SectorModel(rng=1, n_orgs=3, policy_pressure=value)
    assert {environment_at(model.params, month)[1] for month in range(12 * 25)} == {value}
    steps = 30  # into the third model year
    as_number = jobs.run_outcomes(steps, 1, {"n_orgs": 3, "policy_pressure": value})
    as_series = jobs.run_outcomes(steps, 1, {"n_orgs": 3, "policy_pressure": (value,) * 25})
    assert as_number == as_series
    ran = jobs.carry_out(replace(job, steps=steps, outputs=tuple(as_number)))
    assert ran["status"] == "ok" and ran["outcomes"] == jobs.run_outcomes(
        steps, job.run.seed, {**job.parameters, "policy_pressure": (value,) * 25}
    )
