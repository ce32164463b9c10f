"""The hindcast calibration: ABC-SMC search, posterior files, draws and predictive intervals."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.core.environment import ENVELOPE_GROWTH
from simulation.core.errors import InputError
from simulation.core.parameters import Parameters, validate_parameters
from simulation.runs.calibration import (
    BAND_PENALTY,
    DEFAULT_PROVENANCE,
    FITTED,
    FITTED_FIGURES,
    HELD_OUT,
    MAGNITUDE_CRITERIA,
    NATIONAL_FIGURES,
    NUISANCES,
    PATTERN_CRITERIA,
    PRIOR_NAMES,
    PRIORS,
    AbcSettings,
    abc_search,
    crps,
    defaults_hindcast,
    distance,
    hindcast_figures,
    hindcast_params,
    interval_score,
    load_posterior,
    magnitude_criteria,
    posterior_correlations,
    posterior_from_frame,
    posterior_table,
    predictive_runs,
    predictive_table,
)
from simulation.runs.calibration.hindcast import PEER_SHARE_2011_TO_2017, criteria_figures
from simulation.runs.comparison import compare
from simulation.runs.magnitudes import Range, load_ranges
from simulation.runs.replications import run_replications
from simulation.runs.scenarios import Scenario

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "calibrate_abc.py"

#: A small sector, so that runs take a few hundredths of a second.
SMALL = {"n_orgs": 8, "mean_org_size": 30.0}


def load_script():
    spec = importlib.util.spec_from_file_location("calibrate_abc", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibrate_abc"] = module
    spec.loader.exec_module(module)
    return module


#: Sector series the acceptance criteria read, besides the figures' own.
CRITERIA_COLUMNS = (
    "mean_understanding_managers",
    "mean_commitment_managers",
    "mean_stigma",
    "disclosed_share",
    "champions",
    "le_leaders",
)


def wide_posterior() -> pd.DataFrame:
    """Draws spread over most of the prior box (equal weights)."""
    count = 12
    return pd.DataFrame(
        {
            "position_rate": np.geomspace(0.03, 0.4, count),
            "first_hire_rate": np.geomspace(0.2, 0.005, count),
            "hire_threshold": np.linspace(0.15, 0.45, count),
            "initial_unexposed": np.linspace(0.45, 0.75, count)[::-1],
            "first_hire_understanding": np.linspace(0.15, 0.5, count),
            "envelope_growth": np.linspace(0.0, 0.25, count),
            "weight": np.ones(count),
        }
    )


def test_every_prior_is_a_parameter_or_a_nuisance_and_the_roles_split_the_figures():
    roles = {figure.name: figure.role for figure in NATIONAL_FIGURES}
    assert set(roles.values()) <= {"fitted", "held out", "checked"}
    assert set(FITTED) == {name for name, role in roles.items() if role == "fitted"}
    assert set(HELD_OUT) == {name for name, role in roles.items() if role == "held out"}
    assert HELD_OUT and not set(FITTED) & set(HELD_OUT)
    for prior in PRIORS:
        assert prior.name in Parameters.model_fields or prior.name in NUISANCES
        assert prior.low < prior.high and prior.reason
    # Every prediction that is scored has naive forecasts to beat.
    for figure in NATIONAL_FIGURES:
        assert figure.fitted or len(figure.baselines) >= 2, figure.name


def test_the_hindcast_envelope_grows_as_estimated_and_is_0_12_in_2017():
    slow = hindcast_params({"envelope_growth": 0.05}, months=108)["funding_envelope"]
    fast = hindcast_params({"envelope_growth": 0.20}, months=108)["funding_envelope"]
    assert slow[6] == fast[6] == pytest.approx(0.12)  # 2017-18 is model year 6
    assert slow[1] / slow[0] == pytest.approx(1.05, abs=2e-3)
    assert fast[1] / fast[0] == pytest.approx(1.20, abs=2e-3)
    assert fast[0] < slow[0]


def test_crps_is_the_absolute_error_for_one_value_and_rewards_a_sharp_right_ensemble():
    assert crps(np.array([0.3]), 0.5) == pytest.approx(0.2)
    sharp = crps(np.full(50, 0.5), 0.5)
    wide = crps(np.linspace(0.0, 1.0, 51), 0.5)
    assert sharp == pytest.approx(0.0) and wide > 0.05
    # Against the closed form for a uniform ensemble on [0, 1] at its centre: 1/12.
    assert crps(np.linspace(0.0, 1.0, 2001), 0.5) == pytest.approx(1 / 12, abs=1e-3)


def test_interval_score_is_the_width_inside_and_penalises_a_miss():
    assert interval_score(0.2, 0.4, 0.3, 0.9) == pytest.approx(0.2)
    assert interval_score(0.2, 0.4, 0.5, 0.9) == pytest.approx(0.2 + 20 * 0.1)


def test_the_hindcast_starts_in_2011_with_the_national_environment():
    params = hindcast_params({"position_rate": 0.2, "initial_unexposed": 0.7}, months=108)
    assert params["funding_envelope"][0] < Parameters().funding_envelope[0]
    assert params["policy_pressure"][0] <= params["policy_pressure"][-1]
    assert len(params["funding_envelope"]) == 10  # years 0..9 cover months 0..108
    assert params["exposure_mix"][0] == 0.7 and math.isclose(sum(params["exposure_mix"]), 1.0)
    assert "initial_unexposed" not in params and params["position_rate"] == 0.2


def test_the_hindcast_starts_from_the_peer_share_of_2011_not_of_2017():
    # AIHW: 29.4 consumer-worker FTE per 10,000 in 2011-12, about 59.5 in 2017-18.
    assert pytest.approx(0.494, abs=0.002) == PEER_SHARE_2011_TO_2017
    default = Parameters().initial_peer_share
    started = hindcast_params({}, months=108)["initial_peer_share"]
    assert started == pytest.approx([PEER_SHARE_2011_TO_2017 * s for s in default])
    # A run's own 2017-18 share (a sector of the tests, say) is scaled the same way.
    own = hindcast_params({}, months=108, fixed={"initial_peer_share": (0.1, 0.2)})
    assert own["initial_peer_share"] == pytest.approx([0.0494, 0.0988], abs=2e-4)


def test_the_criteria_read_the_patterns_over_the_run_and_the_magnitudes_in_july_2017():
    months = np.arange(109)
    rising = months / 108.0
    frame = pd.DataFrame(
        {
            "peer_share": np.full(109, 0.01),
            "peer_workers": np.full(109, 20.0),
            "orgs_with_peers": np.full(109, 5.0),
            "mean_understanding_managers": 0.2 + 0.1 * rising,
            "mean_commitment_managers": 0.3 - 0.1 * rising,  # falls: pattern 1 fails
            "mean_stigma": 0.4 - 0.1 * rising,
            "disclosed_share": 0.1 + 0.2 * rising,
            "champions": np.where(months == 72, 40.0, 0.0),
            "le_leaders": np.full(109, 1.0),
        }
    )
    figures = criteria_figures(frame, n_orgs=10)
    # Changes between the means of model year 0 (months 1-12, 2011-12) and year 8
    # (months 97-108, 2019-20), the last full year of a 108-month run.
    assert figures["understanding_rise"] == pytest.approx(0.1 * 96 / 108)
    assert figures["commitment_rise"] == pytest.approx(-0.1 * 96 / 108)
    assert figures["stigma_fall"] == pytest.approx(0.1 * 96 / 108)
    assert figures["disclosure_rise"] == pytest.approx(0.2 * 96 / 108)
    # Staff are peer_workers / peer_share = 2,000; champions 40 of them in July 2017 only.
    assert figures["champion_share_2017"] == pytest.approx(0.02)
    assert figures["champions_per_org_2017"] == pytest.approx(4.0)
    assert figures["peers_per_employing_org_2017"] == pytest.approx(4.0)
    ranges = [
        Range("champion_share", 0, 0.0, 0.01, "s"),
        Range("champion_share", 120, 0.0, 0.05, "s"),
        Range("peer_share", 0, 0.003, 0.01, "s"),
    ]
    criteria = (*PATTERN_CRITERIA, *magnitude_criteria(ranges, ("champion_share", "peer_share")))
    # Two criteria fail (commitment falls, champions 2 % > 1 %): two band penalties.
    assert distance(figures, criteria) == pytest.approx(
        2 * BAND_PENALTY + (0.1 * 96 / 108) ** 2 + 1.0, rel=1e-9
    )
    assert distance(figures | {"commitment_rise": 0.0, "champion_share_2017": 0.01}, criteria) == 0
    with pytest.raises(ValueError, match="le_leaders_per_org"):
        magnitude_criteria(ranges, ("le_leaders_per_org",))
    assert set(MAGNITUDE_CRITERIA) <= {
        "peer_share",
        "peers_per_employing_org",
        "champion_share",
        "champions_per_org",
        "le_leaders_per_org",
    }


def test_figures_are_year_means_and_a_short_run_has_none_beyond_it():
    months = np.arange(109)
    frame = pd.DataFrame(
        {
            "peer_share": np.where(months <= 12, 0.02, 0.03),
            "peer_workers": np.where(months <= 60, 10.0, 20.0),
            "orgs_with_peers": np.where(months <= 72, 5.0, 6.0),
        }
        | dict.fromkeys(CRITERIA_COLUMNS, 0.0)
    )
    figures = hindcast_figures(frame, n_orgs=10)
    assert figures["peer_share_ratio"] == pytest.approx(1.5)
    assert figures["orgs_with_peers_2016"] == pytest.approx(0.5)
    assert figures["orgs_with_peers_2017"] == pytest.approx(0.6)
    assert figures["peer_growth_2015_2019"] == pytest.approx(2**0.25 - 1)
    short = hindcast_figures(frame.iloc[:73], n_orgs=10)
    assert math.isnan(short["orgs_with_peers_2017"]) and not math.isnan(
        short["orgs_with_peers_2016"]
    )
    perfect = {figure.name: figure.value for figure in NATIONAL_FIGURES}
    assert distance(perfect, FITTED_FIGURES) == 0.0
    off = perfect | {"orgs_with_peers_2015": 0.465 + 0.05}
    assert distance(off, FITTED_FIGURES) == pytest.approx(1.0)
    assert distance(perfect | {"peer_share_ratio": math.nan}, FITTED_FIGURES) == math.inf


@pytest.mark.slow
def test_a_tiny_search_writes_a_posterior_and_is_reproducible(tmp_path):
    script = load_script()
    args = ["--population", "4", "--generations", "2", "--months", "72", "--check-draws", "0"]
    args += ["--set", "n_orgs=8", "--set", "mean_org_size=30"]
    assert script.main([*args, "--quiet", "--out", str(tmp_path)]) == 0
    written = pd.read_csv(tmp_path / "posterior.csv")
    assert list(written.columns) == [*PRIOR_NAMES, "weight", "distance", "seed"]
    assert len(written) == 4 and written["weight"].sum() == pytest.approx(1.0)
    assert (written["seed"] >= 0).all() and written["seed"].is_unique
    provenance = json.loads((tmp_path / "posterior.json").read_text())
    assert provenance["months"] == 72 and provenance["generations"] == 2
    assert provenance["fixed"] == SMALL
    assert provenance["proposals"] >= 10 and provenance["root_seed"] == 2011
    assert [g["t"] for g in provenance["per_generation"]] == [0, 1]
    assert all(0 < g["acceptance"] <= 1 for g in provenance["per_generation"])
    assert provenance["priors"][0]["name"] == PRIOR_NAMES[0] and "date" in provenance
    # Pattern-oriented: the study's patterns and the month-0 magnitudes are criteria.
    criteria = provenance["criteria"]
    assert {c.name for c in PATTERN_CRITERIA} | {f"{m}_2017" for m in MAGNITUDE_CRITERIA} == set(
        criteria
    )
    # Each magnitude's band is its month-0 range in the ranges file (one source).
    ranges = {r.measure: [r.low, r.high] for r in load_ranges(script.RANGES) if r.month == 0}
    assert criteria["champion_share_2017"] == ranges["champion_share"]
    assert criteria["understanding_rise"] == [0.0, 1.0]
    posterior = load_posterior(tmp_path / "posterior.csv")
    assert posterior.parameters == [n for n in PRIOR_NAMES if n not in NUISANCES]
    # The same root seed gives the same search.
    settings = AbcSettings(population=4, generations=2, months=72, fixed=SMALL)
    again = abc_search(settings, criteria=script.search_criteria())
    pd.testing.assert_frame_equal(again.posterior, written, check_exact=False, rtol=1e-12)


def test_draws_depend_on_the_seed_and_replication_only():
    posterior = posterior_from_frame(wide_posterior())
    first = [posterior.draw(7, r) for r in range(6)]
    assert first == [posterior.draw(7, r) for r in range(6)]
    assert len({tuple(d.values()) for d in first}) > 1  # replications draw different rows
    assert first != [posterior.draw(8, r) for r in range(6)]
    assert set(first[0]) == {
        "position_rate",
        "first_hire_rate",
        "hire_threshold",
        "first_hire_understanding",
    }


def test_runs_with_a_posterior_repeat_and_differ_from_the_defaults():
    posterior = posterior_from_frame(wide_posterior())
    settings = {"steps": 24, "seed": 3, "replications": 3, "params": SMALL, "progress": False}
    drawn = run_replications(**settings, posterior=posterior)
    pd.testing.assert_frame_equal(drawn, run_replications(**settings, posterior=posterior))
    defaults = run_replications(**settings)
    assert (drawn["seed"] == defaults["seed"]).all()
    assert not drawn["peer_workers"].equals(defaults["peer_workers"])
    # A setting of the run overrides the draws: with every drawn parameter set, no effect.
    fixed = SMALL | {"position_rate": 0.1, "first_hire_rate": 0.05, "hire_threshold": 0.3}
    both = run_replications(**(settings | {"params": fixed}), posterior=posterior)
    pd.testing.assert_frame_equal(both, run_replications(**(settings | {"params": fixed})))


def test_paired_scenarios_share_the_draws_and_the_notes_say_so():
    posterior = posterior_from_frame(wide_posterior(), "wide.csv")
    base = Scenario(name="base", steps=12, replications=3, seed=1, parameters=SMALL)
    twin = Scenario(name="twin", steps=12, replications=3, seed=1, parameters=SMALL)
    comparison = compare(base, [twin], posterior=posterior)
    assert (comparison.differences["difference"] == 0).all()  # same seeds, same draws
    assert any("parameter uncertainty" in note for note in comparison.notes)
    own = Scenario(
        name="own", steps=12, replications=3, seed=1, parameters=SMALL | {"position_rate": 0.2}
    )
    noted = compare(base, [own], posterior=posterior).notes
    assert any("overrides the posterior" in note and "position_rate" in note for note in noted)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda f: f.assign(colour=1.0), ["unknown column 'colour'", "allowed:"]),
        (lambda f: f.drop(columns="weight"), ["no column 'weight'"]),
        (lambda f: f.assign(position_rate=2.0), ["column 'position_rate', row 1", "allowed:"]),
        (lambda f: f.assign(weight=-1.0), ["column 'weight'", "weights >= 0"]),
        (lambda f: f.assign(hire_threshold="high"), ["'high' is not a finite number"]),
        (lambda f: f.assign(hire_threshold="nan"), ["row 1: 'nan' is not a finite number"]),
        (lambda f: f.assign(hire_threshold=""), ["row 1: an empty cell is not a finite"]),
        (lambda f: f.assign(n_orgs=4.5), ["column 'n_orgs', row 1: 4.5 is not a whole number"]),
        (lambda f: f.iloc[:0], ["no draws"]),
    ],
)
def test_a_bad_posterior_file_is_a_clear_error(tmp_path, change, words):
    path = tmp_path / "bad.csv"
    change(wide_posterior()).to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        load_posterior(path)
    message = str(caught.value)
    assert message.count(f"posterior file {path}") == 1  # said once, at the start
    assert message.startswith(f"posterior file {path}: ")
    assert "np.float64" not in message
    for word in words:
        assert word in message


def test_a_non_finite_number_in_a_table_of_draws_is_shown_plainly():
    frame = wide_posterior().assign(hire_threshold=np.nan)
    with pytest.raises(InputError) as caught:
        posterior_from_frame(frame, "draws")
    assert str(caught.value) == (
        "posterior file draws: column 'hire_threshold', row 1: nan is not a finite number; "
        "allowed: finite numbers"
    )


def test_a_missing_posterior_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such posterior file"):
        load_posterior(tmp_path / "none.csv")


def test_an_integer_parameter_is_read_as_an_integer_and_runs(tmp_path):
    path = tmp_path / "int.csv"
    path.write_text("weight,n_orgs,board_support\n1,4,0.5\n3,6,0.25\n")
    posterior = load_posterior(path)
    drawn = [posterior.draw(seed=5, replication=r) for r in range(6)]
    assert {draw["n_orgs"] for draw in drawn} <= {4, 6}
    assert all(type(draw["n_orgs"]) is int for draw in drawn)
    assert all(type(draw["board_support"]) is float for draw in drawn)
    model = validate_parameters(drawn[0])
    assert model.n_orgs == drawn[0]["n_orgs"]


def test_weights_near_the_float_maximum_are_relative_weights_like_any_other(tmp_path):
    # Their sum overflows to inf; the draws must still follow the weights' ratios (1 : 1).
    path = tmp_path / "big.csv"
    path.write_text("weight,board_support\n1e308,0.25\n1e308,0.75\n0,0.5\n")
    posterior = load_posterior(path)
    rows = {posterior.draw_index(seed=3, replication=r) for r in range(40)}
    assert rows == {0, 1}  # row 2 has weight 0; 40 fair draws all alike has chance 2**-39


def test_a_file_with_a_byte_order_mark_and_windows_line_ends_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfweight,board_support\r\n1,0.25\r\n")
    assert load_posterior(path).draw(seed=1, replication=0) == {"board_support": 0.25}


def test_a_cell_written_as_a_whole_float_is_a_whole_number(tmp_path):
    path = tmp_path / "float.csv"
    path.write_text("weight,n_orgs\n1,4.0\n")
    assert load_posterior(path).draw(seed=1, replication=0) == {"n_orgs": 4}


@pytest.mark.slow
def test_intervals_widen_with_parameter_uncertainty():
    wide = posterior_from_frame(wide_posterior())
    point = posterior_from_frame(pd.DataFrame([wide_posterior().iloc[6]]))
    # The same seeds for both (common random numbers), so only the parameters differ. The
    # share of organisations employing peers in 2015 moves with the starting share and the
    # first-post gate the wide draws span: its interval is measured 2.5-3.5 times wider
    # than the point's on four root seeds (48 draws, 24 organisations of 60). The growth of
    # the peer share to 2015 is not asserted: in a sector this small, seed noise dominates
    # it, and its two intervals were within 15 % of each other either way.
    sector = {"n_orgs": 24, "mean_org_size": 60.0}
    settings = {"draws": 48, "seeds": 1, "months": 60, "root_seed": 5, "fixed": sector}
    spread = predictive_table(predictive_runs(wide, **settings)).set_index("figure")
    single = predictive_table(predictive_runs(point, **settings)).set_index("figure")
    width = {
        name: table.loc["orgs_with_peers_2015", "high"] - table.loc["orgs_with_peers_2015", "low"]
        for name, table in (("wide", spread), ("point", single))
    }
    assert width["wide"] > 1.5 * width["point"], width
    assert single.loc["orgs_with_peers_2015", "runs"] == 48
    assert math.isnan(single.loc["peer_growth_2015_2019", "median"])  # beyond 60 months
    assert not single.loc["peer_growth_2015_2019", "inside"]


def test_the_packaged_posterior_loads_and_records_its_search():
    posterior = load_posterior()
    assert len(posterior) >= 100
    assert set(posterior.estimated) == set(PRIOR_NAMES)
    provenance = json.loads(DEFAULT_PROVENANCE.read_text())
    assert provenance["months"] == 108 and provenance["population"] == len(posterior)
    assert "held_out" in provenance and "predictive_check" in provenance


def test_shrinkage_is_near_one_for_a_pinned_quantity_and_near_zero_for_the_prior():
    rng = np.random.default_rng(1)
    count = 400
    draws = pd.DataFrame(
        {
            "position_rate": np.full(count, 0.1) * rng.uniform(0.99, 1.01, count),
            "hire_threshold": rng.uniform(0.15, 0.45, count),
            "weight": np.ones(count),
        }
    )
    table = posterior_table(posterior_from_frame(draws), [p for p in PRIORS if p.name in draws])
    shrinkage = table.set_index("parameter")["shrinkage"]
    assert shrinkage["position_rate"] > 0.9
    assert abs(shrinkage["hire_threshold"]) < 0.15
    correlations = posterior_correlations(posterior_from_frame(draws))
    assert correlations.loc["position_rate", "position_rate"] == pytest.approx(1.0)
    assert abs(correlations.loc["position_rate", "hire_threshold"]) < 0.2


@pytest.mark.slow
def test_the_defaults_reproduce_the_flat_national_shares_from_2011():
    # The defaults are the posterior's medians (docs/ODD.md section 10.2.1): run from
    # 2011-12 with the two hindcast nuisances at theirs, the share of organisations
    # employing peers stays within 0.05 of the flat national figures of 2015-16 to
    # 2017-18. Mean of 100 seeds, the seeds of `make figures` (standard error about
    # 0.002; 0.45, 0.45 and 0.46 at the defaults of the sector at national scale). The
    # model's share still rises a little where the nation's was flat, which the second
    # assertion pins down, so a change that hides the rise shows here.
    runs = defaults_hindcast(100, workers=2)
    national = {figure.name: figure.value for figure in NATIONAL_FIGURES}
    names = ("orgs_with_peers_2015", "orgs_with_peers_2016", "orgs_with_peers_2017")
    model = {name: np.mean([run[name] for run in runs]) for name in names}
    for name in names:
        assert abs(model[name] - national[name]) <= 0.05, (name, model[name], national[name])
    assert (
        model["orgs_with_peers_2015"]
        < model["orgs_with_peers_2016"]
        < model["orgs_with_peers_2017"]
    )


def test_the_defaults_are_the_packaged_posteriors_medians():
    # Each default is the weighted median rounded to three significant figures; the
    # envelope's growth is environment.ENVELOPE_GROWTH, the hindcast's envelope_growth.
    medians = load_posterior().median()
    defaults = Parameters()
    for name in load_posterior().parameters:
        assert getattr(defaults, name) == float(f"{medians[name]:.3g}"), name
    assert float(f"{medians['envelope_growth']:.3g}") == ENVELOPE_GROWTH
