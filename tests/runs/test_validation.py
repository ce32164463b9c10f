"""Pattern validation: the judging machinery, the arms' actions, and a fast subset of the patterns.

The full validation (30 seed pairs, 120 months) is ``lewsim validate``; here a subset of
the patterns runs on fewer pairs and a shorter horizon. The patterns in FAST_PATTERNS are
those whose effects are large enough to be judged on that budget (see docs/ODD.md
section 13); their verdicts can fail like the full run's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import SectorModel
from simulation.core.errors import InputError
from simulation.core.interventions import AppointChampion, SetParameter
from simulation.core.parameters import Parameters
from simulation.core.reporters import org_tallies
from simulation.runs.validation import (
    DEFAULT_PLAN,
    LEARNING_FROZEN,
    LOOP_MONTHS,
    PATTERNS,
    PULSE_MONTH,
    AddPeers,
    ArmRun,
    ChampionsLeave,
    Pattern,
    Validation,
    Verdict,
    arm,
    arms_of,
    curve_thirds,
    cut_patterns,
    first_hire_months,
    half_rise_month,
    judge,
    linearised_ratio,
    load_plan,
    median_years_to_first_hire,
    orgs_with_peers,
    parse_plan,
    pattern_verdict,
    robustness,
    run_arm,
    validate,
    with_params,
)
from simulation.runs.validation.outcomes import adopters_growth, first_posts
from simulation.runs.validation.patterns import CHAMPION_LOSS_MONTH

# 12 pairs: at 6, 4b (an executive champion raises peers by at least 10 %) was judged
# inconclusive at the calibrated defaults of issue 17 (0.20, 0.09 to 0.32); at 12 it holds
# with room (0.21, 0.14 to 0.28).
FAST_PAIRS = 12
FAST_MONTHS = 48
FAST_PATTERNS = (1, 4, 6, 7, 9)


def test_judge_holds_only_with_the_whole_interval_on_the_expected_side():
    clear = judge(0, "s", "o", "c", [1.0, 1.2, 0.9, 1.1])
    assert clear.verdict is Verdict.HOLDS and clear.holds and clear.low > 0
    assert judge(0, "s", "o", "c", [-1.0, -1.2, -0.9], expected="-").verdict is Verdict.HOLDS
    with pytest.raises(ValueError, match="expected"):
        judge(0, "s", "o", "c", [1.0, 2.0], expected="up")


def test_judge_tells_a_contradiction_from_a_lack_of_power():
    wrong_sign = judge(0, "s", "o", "c", [1.0, 1.2, 0.9, 1.1], expected="-")
    assert wrong_sign.verdict is Verdict.CONTRADICTED and not wrong_sign.holds
    assert judge(0, "s", "o", "c", [-1.0, -1.2, -0.9]).verdict is Verdict.CONTRADICTED
    straddling = judge(0, "s", "o", "c", [1.0, -1.2, 0.9, -1.1])
    assert straddling.low < 0 < straddling.high
    assert straddling.verdict is Verdict.INCONCLUSIVE
    # One value gives no interval, and no interval cannot decide either way.
    single = judge(0, "s", "o", "c", [5.0])
    assert np.isnan(single.low) and single.verdict is Verdict.INCONCLUSIVE
    # Only the NaN of a half-rise that never came: the mean is over the other seeds.
    partial = judge(0, "s", "o", "c", [1.0, np.nan, 1.2, 0.9])
    assert partial.verdict is Verdict.HOLDS and partial.pairs == 4


def test_a_pattern_holds_only_if_every_check_holds_and_is_contradicted_by_any():
    holds, inconclusive, contradicted = "holds", "inconclusive", "contradicted"
    assert pattern_verdict([holds, holds]) is Verdict.HOLDS
    assert pattern_verdict([holds, inconclusive]) is Verdict.INCONCLUSIVE
    assert pattern_verdict([inconclusive, contradicted, holds]) is Verdict.CONTRADICTED
    assert pattern_verdict([]) is Verdict.INCONCLUSIVE


def test_summary_counts_only_emergent_checks_and_skips_withdrawn_patterns():
    # (verdict, emergent) per check; pattern 4 has verification checks only, 5 is withdrawn.
    checks = {
        1: [("holds", True), ("contradicted", False)],
        2: [("holds", True), ("inconclusive", True)],
        3: [("contradicted", True), ("holds", False)],
        4: [("holds", False)],
        5: [("holds", True)],
    }
    rows = [
        {"title": f"p{number}", "pattern": number, "verdict": verdict, "emergent": emergent}
        for number, each in checks.items()
        for verdict, emergent in each
    ]
    plan = replace(load_plan(), withdrawn={5: "not supported"})
    validation = Validation(pd.DataFrame(rows), {}, [1, 2], 60, (), plan=plan)
    summary = validation.summary()
    # A contradicted verification check does not decide pattern 1's verdict: evidence does.
    assert list(summary["verdict"]) == [
        "holds",
        "inconclusive",
        "contradicted",
        "no emergent check",
        "withdrawn",
    ]
    assert list(summary["holds"]) == [True, False, False, False, False]
    assert list(summary["counted"]) == [True, True, True, False, False]
    assert list(summary["emergent_held"]) == [1, 1, 0, 0, 1]
    assert list(summary["verification_checks"]) == [1, 0, 1, 1, 0]
    assert validation.reduced


def test_half_rise_month_interpolates_and_ignores_the_months_before_the_start():
    response = np.array([5.0, 5.0, 0.0, 0.0, 1.0, 2.0, 4.0, 4.0])  # start at 2, peak 4
    assert half_rise_month(response, 2) == pytest.approx(3.0)  # reaches 2 at offset 3
    assert np.isnan(half_rise_month(np.zeros(6), 0))


def test_curve_thirds_tell_an_s_curve_from_a_saturating_one():
    months = np.arange(0, 20 * 12 + 1)
    logistic = 100.0 / (1.0 + np.exp(-(months - 120) / 20.0))
    early, middle, late = curve_thirds(logistic)
    assert middle > early and middle > late
    saturating = 100.0 * (1.0 - np.exp(-months / 40.0))
    early, middle, late = curve_thirds(saturating)
    assert early > middle > late


def test_adopters_growth_reads_each_adopter_from_its_own_first_post():
    months = 20 * 12

    def org_rows(org, first, before, five, ten):
        peers = np.zeros(months + 1)
        if first is not None:
            peers[first:] = before
            peers[first + 60 :] = five
            peers[first + 120 :] = ten
        return [
            {"month": m, "org": org, "peer_workers": peers[m], "ever_employed": peers[m] > 0}
            for m in range(months + 1)
        ]

    rows = org_rows(0, 12, 1, 2, 5)  # +3 between 5 and 10 years after its first post
    rows += org_rows(1, 100, 2, 3, 2)  # -1
    rows += org_rows(2, 200, 1, 1, 1)  # first post too late for a 10-year reading
    rows += org_rows(3, None, 0, 0, 0)  # never employs peers
    run = ArmRun(pd.DataFrame(), pd.DataFrame(rows), pd.DataFrame())
    assert adopters_growth(run) == pytest.approx(1.0)  # the mean of +3 and -1
    late_only = ArmRun(pd.DataFrame(), pd.DataFrame(org_rows(0, 200, 1, 1, 1)), pd.DataFrame())
    assert np.isnan(adopters_growth(late_only))


def test_a_first_peer_who_leaves_in_the_month_of_hiring_still_makes_the_first_post():
    # Org 1 hires at month 3 a peer who leaves that month, and hires again at month 7: its
    # first post is month 3 for pattern 2's first hires and for check 3e's adopters alike.
    months = 11 * 12
    peers = {0: np.full(months + 1, 2), 1: np.where(np.arange(months + 1) >= 7, 1, 0)}
    peers[1][3 + 120 :] = 4
    peers[1][3 + 60 :] = np.maximum(peers[1][3 + 60 :], 3)
    ever = {0: np.ones(months + 1, dtype=bool), 1: np.arange(months + 1) >= 3}
    rows = [
        {"month": m, "org": org, "peer_workers": int(peers[org][m]), "ever_employed": ever[org][m]}
        for m in range(months + 1)
        for org in (0, 1)
    ]
    run = ArmRun(pd.DataFrame(), pd.DataFrame(rows), pd.DataFrame())
    assert list(first_posts(run.orgs)[1]) == [0, 3]
    assert list(first_hire_months(run)) == [3.0]
    # Org 0 (from month 0): 2 - 2; org 1 (from month 3): 4 - 3.
    assert adopters_growth(run) == pytest.approx(0.5)


def test_adopters_growth_needs_every_month():
    rows = [
        {"month": m, "org": 0, "peer_workers": 1, "ever_employed": True} for m in range(0, 241, 12)
    ]
    with pytest.raises(ValueError, match="every month"):
        adopters_growth(ArmRun(pd.DataFrame(), pd.DataFrame(rows), pd.DataFrame()))


def test_every_pattern_is_one_class_registered_once_and_arms_are_consistent():
    assert [pattern.number for pattern in PATTERNS] == list(range(1, 11))
    assert all(isinstance(pattern, Pattern) for pattern in PATTERNS)
    assert len({type(pattern) for pattern in PATTERNS}) == len(PATTERNS)
    names = [each.name for each in arms_of(PATTERNS)]
    assert len(names) == len(set(names))
    assert arms_of([PATTERNS[0], PATTERNS[0]]) == arms_of([PATTERNS[0]])

    class Clash(type(PATTERNS[0])):
        arms = (arm("baseline", "another baseline", {"pay_parity": 0.1}),)

    with pytest.raises(ValueError, match="two different arms are named 'baseline'"):
        arms_of([PATTERNS[0], Clash()])


def test_a_pattern_must_say_how_it_is_judged_and_drawn():
    class Unfinished(Pattern):
        number, title, claim, method, arms = 11, "t", "c", "m", ()

    with pytest.raises(TypeError, match="checks"):
        Unfinished()


@pytest.mark.slow
def test_the_runs_layer_draws_without_importing_matplotlib():
    code = (
        "import json, sys; import simulation.runs.validation; "
        "print(json.dumps([m for m in sys.modules if m.startswith('matplotlib')]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_a_run_is_a_pure_function_of_arm_seed_and_horizon():
    each = arm("x", "x", {"n_orgs": 6}, [AppointChampion(month=3, level="senior")])
    first, second = run_arm(each, 11, 12), run_arm(each, 11, 12)
    pd.testing.assert_frame_equal(first.sector, second.sector)
    pd.testing.assert_frame_equal(first.orgs, second.orgs)
    assert not run_arm(each, 12, 12).sector.equals(first.sector)


def test_peers_join_every_team_at_the_action_month_and_not_before():
    params = {"n_orgs": 4, "exposure_mix": (1.0, 0.0, 0.0), "hire_threshold": 1.0}
    plain = run_arm(arm("plain", "p", params), 5, 10)
    added = run_arm(arm("added", "a", params, [AddPeers(month=6, per_team=2)]), 5, 10)
    pd.testing.assert_frame_equal(plain.sector.loc[:5], added.sector.loc[:5])
    assert (plain.sector["peer_workers"] == 0).all()
    orgs = added.orgs[added.orgs["month"] == 6]
    teams = int(orgs["peer_workers"].sum() + added.sector.loc[6, "peer_leavers"]) // 2
    assert added.sector.loc[6, "peer_hires"] == 2 * teams
    assert teams >= 4  # every organisation has at least one team
    assert (orgs["peer_workers"] > 0).all() and (orgs["positions"] >= orgs["peer_workers"]).all()


def test_champions_leave_takes_every_champion_away():
    params = {"n_orgs": 5, "champion_uptake": 0.0, "initial_champion": 0.0}
    actions = [AppointChampion(month=0, level="executive"), ChampionsLeave(month=4)]
    run = run_arm(arm("gone", "g", params, actions), 3, 8)
    assert run.sector.loc[3, "champions"] == 5
    assert (run.sector.loc[4:, "champions"] == 0).all()


def test_actions_are_plain_hashable_data():
    action = SetParameter(month=2, name="pay_parity", value=0.5)
    assert action == SetParameter(month=2, name="pay_parity", value=0.5)
    assert hash(arm("a", "a", {"pay_parity": 0.5}, [action, AddPeers(month=3, per_team=1)]))


def test_validate_rejects_too_few_pairs_a_short_horizon_and_unknown_patterns():
    with pytest.raises(ValueError, match="pairs"):
        validate(pairs=1)
    with pytest.raises(ValueError, match="months"):
        validate(pairs=2, months=12)
    with pytest.raises(ValueError, match="pattern 11"):
        validate(pairs=2, patterns=[11])


@pytest.fixture(scope="module")
def fast_validation():
    return validate(pairs=FAST_PAIRS, months=FAST_MONTHS, patterns=FAST_PATTERNS)


@pytest.mark.slow
@pytest.mark.parametrize("number", [n for n in FAST_PATTERNS if n != 1])
def test_fast_subset_of_patterns_holds(fast_validation, number):
    checks = fast_validation.checks[fast_validation.checks["pattern"] == number]
    failing = checks.loc[checks["verdict"] != "holds", ["statement", "effect", "low", "high"]]
    assert failing.empty, f"pattern {number} does not hold:\n{failing.to_string()}"
    # Verification checks only: they test the code, and the pattern is not counted.
    summary = fast_validation.summary().loc[number]
    assert summary["verdict"] == "no emergent check" and not summary["counted"]
    assert summary["verification_held"] == summary["verification_checks"] == len(checks)


@pytest.mark.slow
def test_pattern_1_holds_at_the_full_settings():
    # At the calibrated defaults commitment follows understanding after 8.4 months (8.0 to
    # 8.8 on 30 pairs) against the 12-month bound of 1f, and understanding follows exposure
    # after 12.3: a few pairs over 48 months cannot resolve the lags, so pattern 1 runs at the
    # full validation's settings.
    checks = validate(patterns=[1], loops=False, workers=2).checks
    assert (checks["verdict"] == "holds").all(), checks[["key", "effect", "low", "high"]]
    assert len(checks) == 6


@pytest.mark.slow
def test_pairs_share_seeds_across_arms(fast_validation):
    seeds = fast_validation.seeds
    assert len(seeds) == FAST_PAIRS == len(set(seeds))
    # Common random numbers: two arms that differ only from month CHAMPION_LOSS_MONTH on
    # (the sole champion stays or leaves, both appointed at month 0) share every draw before
    # it, so their histories are identical after their first action up to that month, and
    # part from it. Other seeds give other histories: the equality is not by construction.
    stays = fast_validation.runs["sole_champion"]
    leaves = fast_validation.runs["sole_champion_leaves"]
    before = slice(1, CHAMPION_LOSS_MONTH - 1)
    for stay, leave in zip(stays, leaves, strict=True):
        pd.testing.assert_frame_equal(stay.sector.loc[before], leave.sector.loc[before])
        earlier = stay.orgs["month"] < CHAMPION_LOSS_MONTH
        pd.testing.assert_frame_equal(stay.orgs[earlier], leave.orgs[earlier])
        after = slice(CHAMPION_LOSS_MONTH, None)
        assert not stay.sector.loc[after].equals(leave.sector.loc[after])
    assert not stays[0].sector.loc[before].equals(stays[1].sector.loc[before])


def test_the_sole_champion_arms_have_only_the_appointed_champions():
    sole = next(a for a in arms_of(PATTERNS) if a.name == "sole_champion")
    run = run_arm(sole, seed=9, months=12)
    champions = run.sector.loc[1:, "champions"].to_numpy()
    assert champions[0] == run.orgs["org"].nunique()  # one appointed executive each
    assert np.all(np.diff(champions) <= 0)  # turnover takes some away; nobody new takes it up


# ---- emergent checks, failure regions and loop gains -----------------------------------------


def test_a_check_is_judged_against_its_reference_not_zero():
    lags = [10.0, 11.0, 12.0, 11.5]
    assert judge(0, "s", "o", "c", lags, "-", reference=24.0).verdict is Verdict.HOLDS
    assert judge(0, "s", "o", "c", lags, "-", reference=6.0).verdict is Verdict.CONTRADICTED
    assert judge(0, "s", "o", "c", lags, "+", reference=11.0).verdict is Verdict.INCONCLUSIVE
    check = judge(0, "s", "o", "c", lags, reference=6.0, emergent=True)
    assert check.holds and check.reference == 6.0 and check.emergent
    assert not judge(0, "s", "o", "c", lags).emergent  # a plain check is not emergent


def test_linearised_ratio_gives_the_ratio_of_means_and_a_delta_interval():
    cut = np.array([1.0, 2.0, 1.5, 2.5])
    full = np.array([4.0, 5.0, 4.5, 6.0])
    values = linearised_ratio(cut, full)
    assert values.mean() == pytest.approx(cut.mean() / full.mean())
    assert np.all(np.isnan(linearised_ratio(cut, np.zeros(4))))
    # Values exactly proportional have no spread: the ratio is known.
    assert np.allclose(linearised_ratio(2 * full, full), 2.0)


def _run_of(ever_employed: dict[int, list[bool]], first_peers: list[int]) -> ArmRun:
    """An ArmRun whose organisation table has the given ever-employed flags by month."""
    rows = [
        {
            "month": month,
            "org": org,
            "peer_workers": first_peers[org] if month == 0 else int(flag),
            "ever_employed": flag,
        }
        for month, flags in ever_employed.items()
        for org, flag in enumerate(flags)
    ]
    return ArmRun(pd.DataFrame(), pd.DataFrame(rows), pd.DataFrame())


def test_time_to_first_hire_counts_never_hiring_organisations_as_later_than_the_run():
    # Org 0 has peers from the start; orgs 1-3 do not: 1 hires at month 24, 2 at 96, 3 never.
    flags = {m: [True, m >= 24, m >= 96, False] for m in range(0, 121, 12)}
    run = _run_of(flags, [2, 0, 0, 0])
    assert list(first_hire_months(run)) == [24.0, 96.0, np.inf]
    assert median_years_to_first_hire(run) == pytest.approx(8.0)
    # More than half never hire: the median is censored at the run's length.
    never = _run_of({m: [True, m >= 24, False, False] for m in range(0, 121, 12)}, [2, 0, 0, 0])
    assert median_years_to_first_hire(never) == pytest.approx(10.0)


def test_a_pulse_adds_funded_peers_to_each_organisation_with_peers_only():
    model = SectorModel(rng=4, n_orgs=6)
    before = orgs_with_peers(model)
    peers_before = org_tallies(model)["peers"].copy()
    positions_before = model.orgs.positions.copy()
    added = AddPeers(month=1, per_org=2).apply(model)
    assert added == 2 * before.sum() > 0
    gained = org_tallies(model)["peers"] - peers_before
    assert np.array_equal(gained, 2 * before)
    assert np.array_equal(model.orgs.positions - positions_before, 2 * before)
    with pytest.raises(ValueError, match="not both"):
        AddPeers(month=1, per_team=1, per_org=1)
    with pytest.raises(ValueError, match=">= 0"):
        AddPeers(month=1, per_org=-1)


def test_a_pathway_cut_is_set_in_every_arm_over_its_own_parameters():
    each = arm("x", "x", {"token_share": 0.01, "pay_parity": 0.5})
    moved = with_params(each, {"token_share": 0.0})
    assert dict(moved.params) == {"token_share": 0.0, "pay_parity": 0.5}
    assert moved.name == each.name and with_params(each, {}) is each


def test_every_pattern_with_emergent_checks_names_its_pathway_and_a_cut_of_it():
    plan = load_plan()
    for pattern in PATTERNS:
        assert pattern.pathway, f"pattern {pattern.number} names no causal pathway"
        if plan.emergent_keys(pattern.number):
            assert pattern.pathway_cut and pattern.cut_reason, pattern.number
            Parameters(**dict(pattern.pathway_cut))  # every cut is a valid parameter set
    assert [p.number for p in cut_patterns(PATTERNS, plan)] == sorted(
        {int(key[:-1]) for key in plan.emergent_keys()}
    )
    # Pattern 2's cut is learning frozen (issue 17).
    assert dict(PATTERNS[1].pathway_cut) == dict(LEARNING_FROZEN)


def test_loops_need_the_horizon_they_read():
    with pytest.raises(ValueError, match="loop-gain"):
        validate(pairs=2, months=60, patterns=[], loops=True)


@pytest.mark.slow
def test_loop_gains_cut_each_loop_on_the_same_seeds():
    validation = validate(pairs=3, months=LOOP_MONTHS, patterns=[], workers=1)
    assert validation.checks.empty and [loop.key for loop in validation.loop_gains] == [
        "hiring",
        "disclosure",
        "champion",
    ]
    loops = validation.loops
    assert set(loops["loop"]) == {"hiring", "disclosure", "champion"}
    assert loops[["effect", "low", "high"]].notna().all().all()
    assert set(loops["verdict"]) <= {"holds", "contradicted", "inconclusive"}
    runs = validation.runs
    # The cut sector and the pulse are identical to the baseline until they act.
    for base, pulsed, cut in zip(runs["baseline"], runs["pulse"], runs["hiring_cut"], strict=True):
        pd.testing.assert_frame_equal(
            base.sector.loc[: PULSE_MONTH - 1], pulsed.sector.loc[: PULSE_MONTH - 1]
        )
        assert base.sector.loc[0].equals(cut.sector.loc[0])
        assert (
            pulsed.sector.loc[PULSE_MONTH, "peer_workers"]
            > base.sector.loc[PULSE_MONTH, "peer_workers"]
        )
    # A quick horizon skips them.
    assert validate(pairs=2, months=36, patterns=[9]).loops.empty


# ---- the validation plan, labels, pathway cuts and robustness ---------------------------------

#: A sector of 3 organisations: every pattern's arms run in seconds; verdicts are not read.
TINY = {"n_orgs": 3}


@pytest.fixture(scope="module")
def tiny_validation():
    return validate(pairs=2, months=36, params=TINY, cuts=True)


def test_every_check_in_code_has_exactly_one_entry_in_the_plan_and_vice_versa(tiny_validation):
    keys = list(tiny_validation.checks["key"])
    assert len(keys) == len(set(keys)), "two checks share a key"
    plan = load_plan()
    assert set(keys) == set(plan.checks), (
        f"in code only: {sorted(set(keys) - set(plan.checks))}; "
        f"in the plan only: {sorted(set(plan.checks) - set(keys))}"
    )
    # Keys follow the pattern they belong to.
    assert all(
        int(key[:-1]) == n for key, n in zip(keys, tiny_validation.checks["pattern"], strict=True)
    )


def test_each_check_is_judged_with_its_plan_entry(tiny_validation):
    plan = load_plan()
    for row in tiny_validation.checks.itertuples():
        entry = plan.check(row.key)
        assert row.reference == entry.threshold and row.emergent == entry.emergent
        assert row.expected == ("+" if entry.side == "above" else "-")
        assert row.label == entry.label.value and row.reason == entry.reason
        assert "{threshold" not in row.statement  # the threshold was filled in


def test_a_threshold_moved_in_the_plan_moves_the_verdict(tiny_validation):
    runs, pattern = tiny_validation.runs, PATTERNS[0]  # 1a: a correlation, always finite
    plan = load_plan()
    low, high = (
        replace(plan, checks={**plan.checks, "1a": plan.check("1a").model_copy(update=u)})
        for u in ({"threshold": -1e9}, {"threshold": 1e9})
    )
    verdicts = [
        next(c for c in pattern.judged(runs, 36, each) if c.key == "1a").verdict
        for each in (low, high)
    ]
    assert verdicts == [Verdict.HOLDS, Verdict.CONTRADICTED]


def test_the_pathway_cuts_tabulate_every_emergent_check_of_a_cut_pattern(tiny_validation):
    plan, cuts = load_plan(), tiny_validation.cuts
    expected = [k for p in cut_patterns(PATTERNS, plan) for k in plan.emergent_keys(p.number)]
    assert list(cuts["key"]) == expected
    assert set(cuts["verdict"]) <= {"holds", "contradicted", "inconclusive"}
    assert (cuts["contradicted"] == (cuts["verdict"] == "contradicted")).all()
    assert (cuts["default_verdict"] != "").all() and (cuts["cut"] != "").all()


def test_robustness_counts_the_draws_in_which_each_emergent_check_holds():
    from simulation.runs.calibration import load_posterior

    posterior, pattern = load_posterior(), PATTERNS[9]
    table = robustness([pattern], posterior, draws=3, months=36, params=TINY)
    assert list(table["key"]) == ["10c"] and table["draws"].iloc[0] == 3
    assert 0 <= table["held"].iloc[0] <= 3
    assert table["share_held"].iloc[0] == table["held"].iloc[0] / 3
    assert table["robust"].iloc[0] == (table["share_held"].iloc[0] >= 0.8)
    # Same root seed, same draws and seeds: the same table.
    again = robustness([pattern], posterior, draws=3, months=36, params=TINY)
    pd.testing.assert_frame_equal(table, again)
    # A threshold no mean can miss holds in every draw whose mean exists.
    plan = load_plan()
    lenient = replace(
        plan,
        checks={**plan.checks, "10c": plan.check("10c").model_copy(update={"threshold": -1e9})},
    )
    easy = robustness([pattern], posterior, draws=3, months=36, params=TINY, plan=lenient)
    assert easy["held"].iloc[0] >= table["held"].iloc[0]
    # Patterns without emergent checks are skipped.
    assert robustness([PATTERNS[3]], posterior, draws=1, months=36, params=TINY).empty


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "robust_share = 0.8\n[checks.1a]\nlabel = 'maybe'\nside = 'above'\nthreshold = 0\n"
            "reason = 'r'",
            "checks.1a.label = 'maybe'",
        ),
        (
            "robust_share = 0.8\n[checks.1a]\nlabel = 'emergent'\nside = 'up'\nthreshold = 0\n"
            "reason = 'r'",
            "'above' or 'below'",
        ),
        (
            "robust_share = 0.8\n[checks.1a]\nlabel = 'emergent'\nside = 'above'\nreason = 'r'",
            "checks.1a.threshold",
        ),
        ("robust_share = 1.5\n[checks]", "robust_share"),
        (
            "robust_share = 0.8\n[checks.x1]\nlabel = 'emergent'\nside = 'above'\nthreshold = 0\n"
            "reason = 'r'",
            "'1a' or '10c'",
        ),
        (
            "robust_share = 0.8\n[checks.1a]\nlabel = 'emergent'\nside = 'above'\nthreshold = 0\n"
            "reason = 'r'\nthresold = 2",
            "thresold",
        ),
        ("robust_share = ", "invalid TOML"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_file_and_the_field(text, words):
    with pytest.raises(InputError, match="validation plan bad.toml") as caught:
        parse_plan(text, "bad.toml")
    assert words in str(caught.value)


def test_the_packaged_plan_is_the_committed_experiments_file():
    committed = Path(__file__).parents[2] / "experiments" / "validation-plan.toml"
    assert DEFAULT_PLAN.resolve() == committed.resolve()
    plan = load_plan()
    assert plan.emergent_keys() and all(entry.reason for entry in plan.checks.values())
    with pytest.raises(InputError, match="not found"):
        load_plan(committed.with_name("no-such-plan.toml"))


@pytest.fixture(scope="module")
def evidence_validation():
    """The patterns with emergent checks, as the full validation runs them, with their cuts."""
    return validate(patterns=(2, 3, 8, 10), loops=False, cuts=True, workers=2)


#: The verdicts of the full validation's settings (30 pairs, 120 months, root seed 2019) at
#: the calibrated defaults of the sector at national scale, measured on 7 December 2026 by
#: `make figures` (docs/ODD.md section 13, docs/figures.json): each
#: emergent check at the defaults, the negative control 2e, and each check under its
#: pathway cut. The runs are a pure function of the seeds, so a change of verdict means a
#: change of model: re-measure, and say why in the commit and in the ODD.
EVIDENCE_VERDICTS = {"2a": "holds", "2b": "inconclusive", "2e": "holds", "3b": "holds"}
# 2b became inconclusive and 10c held again with the pattern-oriented calibration (issue 17,
# session 3): slower learning makes the isolated sector's lock-in break in a third of seeds
# (0.33, 0.15 to 0.51, against 0.5), and pay disparity's loss through exits is 0.51.
EVIDENCE_VERDICTS |= {"3c": "holds", "8c": "holds", "10c": "holds"}
CUT_VERDICTS = {"2a": "holds", "2b": "contradicted", "3b": "contradicted", "3c": "holds"}
CUT_VERDICTS |= {"8c": "inconclusive", "10c": "contradicted"}
# 3e (a plan change of session 4): adopters' own growth, 0.793 at the defaults and -0.0855
# (-0.136 to -0.0351) under pattern 3's cut; 0.788 at the defaults since its first post is
# pattern 2's (session 5), the cut's figure the same.
EVIDENCE_VERDICTS |= {"3e": "holds"}
CUT_VERDICTS |= {"3e": "contradicted"}


@pytest.mark.slow
def test_the_emergent_checks_hold_at_the_calibrated_defaults(evidence_validation):
    checks = evidence_validation.checks.set_index("key")
    measured = {key: checks.loc[key, "verdict"] for key in EVIDENCE_VERDICTS}
    assert measured == EVIDENCE_VERDICTS
    assert bool(checks.loc["2e", "effect"] <= -0.75)  # the fall itself, not only its verdict


@pytest.mark.slow
def test_the_pathway_cuts_give_the_measured_verdicts(evidence_validation):
    cuts = evidence_validation.cuts.set_index("key")
    assert {key: cuts.loc[key, "verdict"] for key in CUT_VERDICTS} == CUT_VERDICTS
