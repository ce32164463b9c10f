"""Regenerate the numbers the README and docs/ODD.md quote, into docs/figures.json.

``make figures`` runs this. It measures, at the defaults:

- ``default_run``: what ``make run`` runs (20 replications, 120 months, root seed 0):
  organisations and peer workers with peers at months 0 and 120, and the yearly growth of
  the peer workforce in years 0-3 and 4-10 (mean over replications); its figure is the
  README's ``docs/images/default_run.png``, drawn as ``lewsim run`` draws it;
- ``magnitudes``: the measures of :mod:`simulation.runs.magnitudes` at months 0 and 120 of
  the same run (mean, lowest and highest replication) against the sourced ranges of
  ``experiments/plausible-ranges.toml``;
- ``negative_control``: initially peerless organisations that employ peers by year 10,
  learning on against learning frozen (:data:`LEARNING_FROZEN`), on paired seeds;
- ``hindcast``: the run from 2011-12 at the defaults (the packaged posterior's median for
  its two nuisances), the share of organisations employing peers in 2015-16 to 2017-18
  against the national figures;
- ``calibration``: the packaged posterior's search, table and predictive check, read from
  its files (no runs; every invocation refreshes it);
- ``dynamics``: the measures of docs/ODD.md section 10.4 (``experiments/dynamics_targets.py``,
  30 paired seeds, 240 months);
- ``cascade``: pattern 8's decomposition of hidden LE's effect on the disclosed share into
  what goes directly and what through colleagues (``experiments/disclosure_cascade.py``,
  40 seed pairs);
- ``stories``: the app's three stories on seed 1, with their event and without it;
- ``comparison``: the README's comparison example (baseline, executive champion, LE
  leader; 30 paired replications): peers at month 120, each minus the baseline;
- ``riverside``: the README's by-organisation example (the two Riverside scenarios, 30
  pairs): the inpatient unit's difference in peer workers at year 10;
- ``sweep``: the README's sweep example (``experiments/sweeps/sobol-levers.toml``, 1,024
  runs, ``lewsim sweep`` then ``lewsim analyze``): every S1 and ST, and its figure
  ``docs/images/sweep_indices.png``;
- ``validation``: the full validation (``lewsim validate``: 30 pairs, 120 months, the
  pathway cuts and the loop-gain experiments) and the share of posterior draws (50 x 2
  seeds) in which each emergent check holds: per pattern its verdict on its emergent
  checks, every check's effect and interval, every cut's verdict and the loops' gains.

``quotes`` lists, for each document, the sentences that quote these numbers, formatted
from them; ``tests/test_figures.py`` checks that each document holds its sentences and that
the file was made by the model as it is now (``fingerprint``), so no stale number survives
a model change. Example::

    python experiments/make_figures.py            # about half an hour on two cores
    python experiments/make_figures.py --only dynamics   # one section into the file
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.core.model import SectorModel
from simulation.core.parameters import Parameters
from simulation.core.processes import employing_orgs, first_post_readiness
from simulation.outputs.organisation_report import difference_sentence, organisation_differences
from simulation.outputs.validation_report import pattern_figure
from simulation.runs.calibration import (
    NATIONAL_FIGURES,
    default_nuisances,
    defaults_hindcast,
    load_posterior,
)
from simulation.runs.comparison import compare
from simulation.runs.magnitudes import MEASURES, load_ranges, magnitudes
from simulation.runs.replications import (
    model_fingerprint,
    replication_seed,
    replication_seeds,
    run_replication,
    run_replications,
)
from simulation.runs.scenarios import Scenario
from simulation.runs.statistics import annual_growth
from simulation.runs.validation.arms import LEARNING_FROZEN
from simulation.runs.validation.outcomes import learning_control
from simulation.runs.validation.robustness import robustness
from simulation.runs.validation.suite import DEFAULT_PAIRS, HORIZON, validate

ROOT = Path(__file__).resolve().parent.parent
POSTERIOR_JSON = ROOT / "simulation" / "runs" / "data" / "posterior.json"
RANGES = ROOT / "experiments" / "plausible-ranges.toml"
SCENARIOS = ROOT / "experiments" / "scenarios"
STORY_DIR = ROOT / "simulation" / "app" / "stories"
OUT = ROOT / "docs" / "figures.json"
#: The README's figure of the default run (written with the default --out only).
IMAGE = ROOT / "docs" / "images" / "default_run.png"
#: The README's figure of the sweep example.
SWEEP_IMAGE = ROOT / "docs" / "images" / "sweep_indices.png"
VALIDATION_IMAGE = ROOT / "docs" / "images" / "validation_pattern_02.png"
SWEEPS = ROOT / "experiments" / "sweeps"


def default_run(replications: int, image: Path | None) -> tuple[dict, dict]:
    """The figures of ``make run`` and the magnitudes of the same runs (and its figure)."""
    frame = run_replications(steps=120, seed=0, replications=replications, progress=False)
    if image is not None:
        import matplotlib  # noqa: PLC0415 - only the figure needs it

        matplotlib.use("Agg")
        from simulation.outputs.figures import plot_timeseries  # noqa: PLC0415

        plot_timeseries(frame, title="default: sector over time").savefig(image, dpi=100)
    n_orgs = Parameters().n_orgs
    runs = [group.set_index("month") for _, group in frame.groupby("replication")]
    peers = [run["peer_workers"].to_numpy(dtype=float) for run in runs]
    figures = {
        "replications": replications,
        "orgs_with_peers_0": float(np.mean([r.loc[0, "orgs_with_peers"] for r in runs])),
        "orgs_with_peers_120": float(np.mean([r.loc[120, "orgs_with_peers"] for r in runs])),
        "peer_workers_0": float(np.mean([p[0] for p in peers])),
        "peer_workers_120": float(np.mean([p[120] for p in peers])),
        "growth_0_36": float(np.mean([annual_growth(p, 0, 36) for p in peers])),
        "growth_48_120": float(np.mean([annual_growth(p, 48, 120) for p in peers])),
    }
    ranges = {(r.measure, r.month): r for r in load_ranges(RANGES)}
    table = []
    for month in (0, 120):
        measured = [magnitudes(run, n_orgs, month) for run in runs]
        for measure in MEASURES:
            values = np.array([m[measure] for m in measured])
            row = {
                "measure": measure,
                "month": month,
                "mean": float(values.mean()),
                "lowest": float(values.min()),
                "highest": float(values.max()),
            }
            if (measure, month) in ranges:
                plausible = ranges[measure, month]
                row |= {
                    "low": plausible.low,
                    "high": plausible.high,
                    "inside": bool(plausible.low <= row["mean"] <= plausible.high),
                }
            table.append(row)
    return figures, {"rows": table}


#: The negative control's third arm: learning on, no pilot posts.
NO_PILOT = {"first_hire_rate": 0.0}
#: Plausible starting attitudes under which, before the first-post gate, high starting or
#: newly drawn commitment opened first posts without learning (a review of issue 17).
STRESSES = {
    "commitment": {"initial_commitment": (0.25, 0.30, 0.45)},
    "concentration": {"attitude_concentration": 3.0},
}


def negative_control(seeds: int) -> dict:
    """Initially peerless organisations employing peers by year 10, learning on and frozen."""
    # A third arm keeps learning but closes the pilot path: how many first posts open on
    # the regular path (will above hire_threshold) alone (docs/ODD.md section 7.8).
    seed_list = [replication_seed(17, s) for s in range(seeds)]
    more_arms = {"no_pilot": NO_PILOT}
    for name, setting in STRESSES.items():
        more_arms[f"{name}_learning"] = setting
        more_arms[f"{name}_frozen"] = {**LEARNING_FROZEN, **setting}
    counts = learning_control(seed_list, more_arms=more_arms)
    tallies = {
        name: {"peerless": peerless, "adopted": adopted}
        for name, (peerless, adopted) in counts.items()
    }
    fall = 1.0 - tallies["frozen"]["adopted"] / max(tallies["learning"]["adopted"], 1)
    # What learning cannot account for: peerless organisations whose leaders start past
    # the first-post gate (they may adopt without learning anything).
    above_gate = 0
    for seed in seed_list:
        model = SectorModel(rng=seed)
        peerless = ~employing_orgs(model) & (model.orgs.positions == 0)
        above_gate += int(np.sum(peerless & (first_post_readiness(model) > 0.0)))
    stress_falls = {
        name: 1.0
        - tallies[f"{name}_frozen"]["adopted"] / max(tallies[f"{name}_learning"]["adopted"], 1)
        for name in STRESSES
    }
    return {
        "seeds": seeds,
        "root_seed": 17,
        **tallies,
        "fall": fall,
        "stress_falls": stress_falls,
        "peerless_starting_above_gate": above_gate,
    }


def hindcast(seeds: int) -> dict:
    """The run from 2011-12 at the defaults: organisation shares of 2015-16 to 2017-18."""
    runs = defaults_hindcast(seeds, workers=2)
    national = {figure.name: figure.value for figure in NATIONAL_FIGURES}
    shares = {}
    for name in ("orgs_with_peers_2015", "orgs_with_peers_2016", "orgs_with_peers_2017"):
        model = float(np.mean([run[name] for run in runs]))
        shares[name] = {
            "model": model,
            "standard_error": float(np.std([run[name] for run in runs], ddof=1) / seeds**0.5),
            "national": national[name],
            "within_0_05": bool(abs(model - national[name]) <= 0.05),
        }
    return {"seeds": seeds, "nuisances": default_nuisances(), "shares": shares}


def calibration() -> dict:
    """The packaged posterior's search, table and predictive check, as its files record them.

    Nothing runs: ``posterior.json`` holds the search's provenance and the predictive check,
    ``posterior.csv`` the final particles, whose weights give the effective sample size
    (pyabc does not record it in the file).
    """
    record = json.loads(POSTERIOR_JSON.read_text(encoding="utf-8"))
    weights = pd.read_csv(POSTERIOR_JSON.with_suffix(".csv"))["weight"].to_numpy()
    return {
        "population": record["population"],
        "runs": record["proposals"],
        "wall_time_seconds": record["wall_time_seconds"],
        "date": record["date"][:10],
        "generations": record["per_generation"],
        "final_distance_median": record["final_distance_median"],
        "effective_sample_size": float(weights.sum() ** 2 / (weights**2).sum()),
        "posterior": record["posterior"],
        "correlations": record["correlations"],
        "predictive": record["predictive_check"]["table"],
    }


def cascade(pairs: int, workers: int) -> dict:
    """Pattern 8's decomposition (``experiments/disclosure_cascade.py``, root seed 2019).

    Args:
        pairs: Seed pairs.
        workers: Processes.

    Returns:
        The pairs and, per part of hidden LE's effect, its mean, interval and paired t.
    """
    # A sibling script, not the package: imported only when this section runs.
    from disclosure_cascade import measure

    return {"pairs": pairs, "root_seed": 2019, "effects": measure(pairs, 2019, workers)}


def dynamics(seeds: int, workers: int) -> dict:
    """The dynamics measures of docs/ODD.md section 10.4 (``experiments/dynamics_targets.py``).

    Args:
        seeds: Paired seeds (root 2019, as the script's default).
        workers: Processes.

    Returns:
        The script's targets table, one record per measure, and the yearly share of
        organisations with peers.
    """
    # A sibling script, not the package: imported only when this section runs.
    from dynamics_targets import Design, measure

    targets, _, series = measure(replication_seeds(2019, seeds), Design(), {}, workers)
    return {
        "seeds": seeds,
        "rows": json.loads(targets.to_json(orient="records")),
        "org_share_by_year": series["org_share_mean"].round(4).tolist(),
    }


#: The app's stories and the event each is measured without (its counterfactual).
STORIES = {"unexposed": "visits", "lone-champion": "leaves", "le-leader": "le-leader"}
#: The seed the README quotes the stories on (the app's seed control).
STORY_SEED = 1


def stories() -> dict:
    """Each story on the README's seed, with its event and without it (same seed)."""
    results = {}
    for name, event_label in STORIES.items():
        scenario = Scenario.load(STORY_DIR / f"{name}.toml")
        without = tuple(e for e in scenario.events if e.label != event_label)
        runs = {
            arm: run_replication(scenario.steps, STORY_SEED, scenario.parameters, events).set_index(
                "month"
            )[["peer_workers", "orgs_without_peers"]]
            for arm, events in (("story", scenario.events), ("without", without))
        }
        results[name] = {
            arm: {
                column: {str(m): float(frame.loc[m, column]) for m in (36, 48, 120)}
                for column in frame.columns
            }
            for arm, frame in runs.items()
        }
    return results


def comparison() -> dict:
    """The README's comparison example: peers at month 120, each scenario minus baseline."""
    baseline, *alternatives = (
        Scenario.load(SCENARIOS / f"{name}.toml")
        for name in ("baseline", "exec-champion", "le-leader")
    )
    table = compare(baseline, alternatives, months=[120], workers=2).differences
    rows = table[table["outcome"] == "peer_workers"]
    return {
        row.scenario: {"difference": row.difference, "low": row.ci_low, "high": row.ci_high}
        for row in rows.itertuples()
    }


def riverside() -> dict:
    """The README's by-organisation example: the two Riverside scenarios, 30 pairs.

    Returns:
        Inpatient's difference in peer workers at year 10, as the report's sentence says it.
    """
    baseline, alternative = (
        Scenario.load(SCENARIOS / f"{name}.toml") for name in ("riverside", "riverside-champions")
    )
    differences = organisation_differences(compare(baseline, [alternative], workers=2))
    row = differences[
        (differences["organisation"] == "Inpatient")
        & (differences["outcome"] == "peer_workers")
        & (differences["year"] == 10)
    ].iloc[0]
    return {"inpatient_year_10": difference_sentence(row)}


def sweep_example(image: Path | None) -> dict:
    """The README's sweep example (``sobol-levers.toml``, 1,024 runs): its total indices."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sobol-levers"
        sweep = str(SWEEPS / "sobol-levers.toml")
        for command in (
            ["sweep", sweep, "--out", str(out), "--workers", "2", "-q"],
            ["analyze", str(out)],
        ):
            lewsim = [sys.executable, "-m", "simulation", *command]
            subprocess.run(lewsim, check=True, stdout=subprocess.DEVNULL)
        indices = pd.read_csv(out / "analysis" / "indices.csv")
        if image is not None:
            shutil.copyfile(out / "analysis" / "indices.png", image)
    return {
        f"{row.output}.{row.factor}": {"S1": row.S1, "ST": row.ST} for row in indices.itertuples()
    }


def validation(
    draws: int,
    workers: int,
    *,
    pairs: int = DEFAULT_PAIRS,
    months: int = HORIZON,
    params: dict | None = None,
    image: Path | None = None,
) -> dict:
    """The full validation at the defaults, its pathway cuts and loops, and its robustness.

    Args:
        draws: Posterior draws of the robustness (0: not measured).
        workers: Processes.
        pairs: Seed pairs per arm (the full validation's 30 unless a test asks fewer).
        months: Horizon (the full validation's 120 unless a test asks fewer).
        params: Parameters set in every arm (a tiny sector for a test).
        image: Where to draw pattern 2's figure (the README's), if anywhere.

    Returns:
        The summary of patterns, every check, cut and loop, and the robustness.
    """
    result = validate(pairs, months, cuts=True, params=params, workers=workers, progress=True)
    if draws:
        result.robustness = robustness(
            result.patterns,
            load_posterior(),
            draws,
            result.months,
            params=params,
            workers=workers,
        )
    summary = result.summary()
    if image is not None:
        pattern = next(p for p in result.patterns if p.number == 2)
        pattern_figure(pattern, result.runs).savefig(image, dpi=110)

    def plain(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
        kept = frame[[column for column in columns if column in frame]]
        return json.loads(kept.to_json(orient="records"))

    counted = summary[summary["counted"]]
    return {
        "pairs": len(result.seeds),
        "months": result.months,
        "draws": draws,
        "counted": int(counted.shape[0]),
        "held": int(counted["holds"].sum()),
        "robust": int(counted["robust"].sum()) if "robust" in counted else None,
        "patterns": plain(
            summary.reset_index(),
            (
                "pattern",
                "title",
                "verdict",
                "emergent_held",
                "emergent_checks",
                "counted",
                "holds",
                "robust_share",
                "robust",
            ),
        ),
        "checks": plain(
            result.checks,
            (
                "pattern",
                "key",
                "label",
                "statement",
                "comparison",
                "expected",
                "reference",
                "effect",
                "low",
                "high",
                "verdict",
            ),
        ),
        "cuts": plain(
            result.cuts,
            ("pattern", "key", "comparison", "effect", "low", "high", "verdict", "contradicted"),
        ),
        "loops": plain(result.loops, ("loop", "statement", "effect", "low", "high", "verdict")),
        "robustness": plain(result.robustness, ("pattern", "key", "share_held")),
    }


def cascade_sentence(section: dict) -> str:
    """The ODD's sentence of pattern 8's decomposition (section 13.6)."""
    parts = section["effects"]
    total, direct, through = parts["total"], parts["direct"], parts["through colleagues"]
    return (
        f"total {total['mean']:+.3f} (95 % CI {total['low']:.3f} to {total['high']:.3f}, paired "
        f"t {total['t']:.1f}), direct {direct['mean']:+.3f} ({direct['low']:.3f} to "
        f"{direct['high']:.3f}, t {direct['t']:.1f}), through colleagues "
        f"{through['mean']:+.3f} ({through['low']:.3f} to {through['high']:.3f}, t "
        f"{through['t']:.1f}): colleagues' disclosures carry "
        f"{percent(through['mean'] / total['mean'])} of hidden LE's effect"
    )


def quotes(figures: dict) -> list[dict[str, str]]:
    """The sentences of the README and the ODD that quote the figures, formatted from them."""
    run, control = figures["default_run"], figures["negative_control"]
    shares = figures["hindcast"]["shares"]
    hindcast_text = ", ".join(
        f"{shares[name]['model']:.2f}"
        for name in ("orgs_with_peers_2015", "orgs_with_peers_2016", "orgs_with_peers_2017")
    )
    story, compared = figures["stories"], figures["comparison"]
    total = {key: value["ST"] for key, value in figures["sweep"].items()}
    pay = max(value for key, value in total.items() if key.endswith(".pay_parity"))
    unexposed, champion = story["unexposed"], story["lone-champion"]
    leader = story["le-leader"]
    rows = [
        ("README.md", f"{run['orgs_with_peers_120']:.1f} of 24 employ peers by year 10"),
        (
            "README.md",
            f"({unexposed['story']['orgs_without_peers']['36']:.0f} organisations without "
            f"peers at month 36, seed 1)",
        ),
        (
            "README.md",
            f"{unexposed['story']['orgs_without_peers']['120']:.0f} without peers at month "
            f"120, against {unexposed['without']['orgs_without_peers']['120']:.0f} without "
            "the visits",
        ),
        (
            "README.md",
            f"on seed 1, {champion['story']['peer_workers']['48']:.0f} peer workers at month "
            f"48 and {champion['story']['peer_workers']['120']:.0f} at month 120, against "
            f"{champion['without']['peer_workers']['120']:.0f} if the champion stays",
        ),
        (
            "README.md",
            f"{leader['story']['peer_workers']['120']:.0f} peer workers at month 120 against "
            f"{leader['without']['peer_workers']['120']:.0f} without (seed 1)",
        ),
        (
            "README.md",
            f"gives about {compared['exec-champion']['difference']:.0f} more peer workers "
            f"than the baseline (95 % CI {compared['exec-champion']['low']:.0f} to "
            f"{compared['exec-champion']['high']:.0f})",
        ),
        (
            "README.md",
            f"most of the spread in peer workers (total index ST "
            f"{total['peer_workers.board_support']:.2f}) and in stigma "
            f"({total['mean_stigma.board_support']:.2f}); role clarity "
            f"({total['peer_workers.role_clarity']:.2f}) and the funding envelope "
            f"({total['peer_workers.funding_envelope']:.2f}) most of the rest of peer workers'",
        ),
        (
            "README.md",
            f"depends on board support ({total['orgs_without_peers.board_support']:.2f}), "
            f"visits ({total['orgs_without_peers.visit_rate']:.2f}) and role clarity "
            f"({total['orgs_without_peers.role_clarity']:.2f})",
        ),
        ("README.md", f"(ST at most {pay:.2f})"),
        (
            "README.md",
            f"peers about {compared['le-leader']['difference']:.0f} more "
            f"({compared['le-leader']['low']:.0f} to {compared['le-leader']['high']:.0f})",
        ),
        ("README.md", f"about {percent(run['growth_0_36'])} a year in years 0-3"),
        ("README.md", f"{percent(run['growth_48_120'])} a year in years 4-10"),
        (
            "README.md",
            f"on {control['seeds']} paired seeds, {control['learning']['adopted']} of "
            f"{control['learning']['peerless']} initially peerless organisations employ peers "
            f"by year 10 with learning on, {control['frozen']['adopted']} with learning frozen",
        ),
        ("docs/ODD.md", f"a fall of {percent(control['fall'])}"),
        (
            "docs/ODD.md",
            f"on {control['seeds']} paired seeds, {control['learning']['adopted']} of "
            f"{control['learning']['peerless']} initially peerless organisations employ peers "
            f"by year 10; with `first_hire_rate` 0 (no pilot posts), "
            f"{control['no_pilot']['adopted']}",
        ),
        (
            "docs/ODD.md",
            f"(the same settings on `make figures`' seeds: "
            f"{percent(control['stress_falls']['commitment'])} and "
            f"{percent(control['stress_falls']['concentration'])})",
        ),
        (
            "docs/ODD.md",
            f"at the defaults {control['peerless_starting_above_gate']} of the "
            f"{control['learning']['peerless']} start above the gate",
        ),
        ("docs/ODD.md", f"at the defaults: {hindcast_text}"),
        ("docs/ODD.md", cascade_sentence(figures["cascade"])),
        ("README.md", f'such as "{figures["riverside"]["inpatient_year_10"]}" (at the defaults)'),
    ]
    for row in figures["magnitudes"]["rows"]:
        rows.append(("docs/ODD.md", magnitude_cell(row)))
    rows.extend(("docs/ODD.md", text) for text in calibration_rows(figures["calibration"]))
    rows.extend(("docs/ODD.md", text) for text in dynamics_rows(figures["dynamics"]))
    rows.extend(("docs/ODD.md", text) for text in validation_rows(figures["validation"]))
    rows.extend(("README.md", text) for text in validation_sentences(figures["validation"]))
    rows.append(("README.md", f"at the defaults: {hindcast_text}"))
    held_out = next(
        row for row in figures["calibration"]["predictive"] if row["role"] == "held out"
    )
    rows.append(
        (
            "README.md",
            f"(CRPS {held_out['crps']:.3f} against {held_out['baseline_crps']:.3f}), with a "
            f"median of {percent(held_out['median'])} a year",
        )
    )
    return [{"file": file, "text": text} for file, text in rows]


def interval(row: dict) -> str:
    """An effect and its 95 % interval as the ODD's validation tables write them."""
    return f"{row['effect']:.3g} ({row['low']:.3g} to {row['high']:.3g})"


def join_numbers(rows: list[dict]) -> str:
    """Pattern numbers as prose: ``2, 3 and 8``."""
    numbers = [str(row["pattern"]) for row in rows]
    return ", ".join(numbers[:-1]) + " and " + numbers[-1] if len(numbers) > 1 else numbers[0]


def validation_sentences(judged: dict) -> list[str]:
    """The README's sentences on the validation, formatted from its results."""
    checks = {row["key"]: row for row in judged["checks"]}
    held, counted = judged["held"], judged["counted"]
    verdict = f"all {counted}" if held == counted else f"{held} of the {counted}"
    control = checks["2e"]
    robust = [row for row in judged["patterns"] if row["counted"] and row["robust"]]
    fragile = [row for row in judged["patterns"] if row["counted"] and not row["robust"]]
    loops = {row["statement"]: row for row in judged["loops"]}
    hiring = loops["With the loop the pulse is kept (retention above 1)"]
    gain = loops["The hiring loop has gain: cutting it loses part of the pulse"]
    disclosure = loops["Cutting the disclosure feedback loses at least 30% of the rise"]
    champion = loops["Champions' effects add peers"]
    contradicted = [row["key"] for row in judged["cuts"] if row["contradicted"]]
    return [
        f"in {percent(checks['2b']['effect'])} of seeds at least one does",
        f"raises that by {100 * checks['2c']['effect']:.0f} and "
        f"{100 * checks['2d']['effect']:.0f} points",
        f"**{verdict} patterns with emergent checks hold on them**",
        f"adoption by organisations that start without peers falls by "
        f"{percent(-control['effect'])} (95 % CI {percent(-control['high'])} to "
        f"{percent(-control['low'])})",
        f"Under their pathway cuts, {', '.join(contradicted)} are **contradicted**",
        f"a pulse of funded peers at month 48 is kept {hiring['effect']:.2f} times "
        f"({hiring['low']:.2f} to {hiring['high']:.2f}) and cutting the loop loses "
        f"{gain['effect']:.2f} of it ({gain['low']:.2f} to {gain['high']:.2f})",
        f"the disclosure feedback carries {percent(disclosure['effect'])} "
        f"({percent(disclosure['low'])} to {percent(disclosure['high'])}) of the 8-year rise",
        f"champions' effects add {champion['effect']:.0f} ({champion['low']:.0f} to "
        f"{champion['high']:.0f}) peers by year 10",
        f"patterns {join_numbers(robust)} hold in at least 80 % of draws (robust)",
        "; ".join(f"pattern {row['pattern']} in {percent(row['robust_share'])}" for row in fragile)
        if fragile
        else "every counted pattern is robust",
    ]


def validation_rows(judged: dict) -> list[str]:
    """The ODD's validation tables (section 13): checks, cuts, loops and robustness."""
    rows = []
    for row in judged["checks"]:
        target = f"{'>' if row['expected'] == '+' else '<'} {row['reference']:g}"
        rows.append(
            f"| {row['key']} | {row['label']} | {row['statement']} | {row['comparison']} | "
            f"{interval(row)} | {target} | {row['verdict']} |"
        )
    at_defaults = {row["key"]: row for row in judged["checks"]}
    for row in judged["cuts"]:
        default = at_defaults[row["key"]]
        rows.append(
            f"| {row['key']} | {default['verdict']} ({default['effect']:.3g}) | "
            f"{interval(row)} | {row['verdict']} |"
        )
    for row in judged["loops"]:
        rows.append(f"| {row['statement']} | {interval(row)} | {row['verdict']} |")
    if judged["robustness"]:
        rows.append(
            ", ".join(f"{row['key']} {percent(row['share_held'])}" for row in judged["robustness"])
        )
    return rows


def dynamics_rows(measured: dict) -> list[str]:
    """The ODD's table of the dynamics measures (section 10.4), one row per measure."""
    rows = []
    for row in measured["rows"]:
        threshold = row["threshold"] or ""
        rows.append(
            f"| {row['measure']} | {threshold} | {row['mean']:.3g} "
            f"({row['low']:.3g}–{row['high']:.3g}) | {row['verdict']} |"
        )
    shares = " ".join(f"{share:.2f}" for share in measured["org_share_by_year"])
    rows.append(f"share of organisations with peers by year (months 0, 12, ..., 240): {shares}")
    return rows


def calibration_rows(search: dict) -> list[str]:
    """The ODD's tables of the search (section 10.2.1): generations, posterior, predictions."""
    rows = [
        f"| {g['t']} | {g['epsilon']:.2f} | {g['samples']:,} | {g['acceptance']:.2f} |"
        for g in search["generations"]
    ]
    rows.append(
        f"{search['runs']:,} runs of 108 months, {search['wall_time_seconds']:.0f} s on one "
        f"shared core"
    )
    rows.append(
        f"effective sample size of the final {search['population']} particles is "
        f"{search['effective_sample_size']:.0f}"
    )
    rows.append(
        f"The median distance of the final particles is {search['final_distance_median']:.2f}"
    )
    correlations = search["correlations"]
    pairs = sorted(
        (
            (first, second, correlations[first][second])
            for first, second in itertools.combinations(correlations, 2)
        ),
        key=lambda pair: -abs(pair[2]),
    )
    rows.append(
        "; ".join(f"`{first}` and `{second}` ({value:+.2f})" for first, second, value in pairs[:5])
    )
    growth = next(row for row in search["posterior"] if row["parameter"] == "envelope_growth")
    rows.append(
        f"the path uses its posterior median, {100 * growth['median']:.1f} % a year "
        f"(`environment.ENVELOPE_GROWTH`)"
    )
    rows.append(
        f"(its 90 % interval is {100 * growth['low']:.0f}-{100 * growth['high']:.0f} % a year)"
    )
    for row in search["posterior"]:
        rows.append(
            f"| {row['parameter']} | {row['median']:.3g} | {row['low']:.2g}–{row['high']:.2g} | "
            f"{row['shrinkage']:.2f} |"
        )
    for row in search["predictive"]:
        beaten = row["best_baseline"] or ""
        if beaten:
            beaten = (
                f" {row['best_baseline']} ({row['baseline_crps']:.3f}) | "
                f"{'**yes**' if row['beats_baselines'] else '**no**'} |"
            )
        rows.append(
            f"| {row['figure']} | {row['role']} | {row['national']:.3f} | {row['median']:.3f} | "
            f"{row['low']:.3f}–{row['high']:.3f} | {'yes' if row['inside'] else '**no**'} | "
            f"{row['crps']:.3f} | {row['interval_score']:.2f} |{beaten}"
        )
    return rows


def percent(share: float) -> str:
    """A share as the documents write it: ``0.151`` is ``15 %``."""
    return f"{100 * share:.0f} %"


def magnitude_cell(row: dict) -> str:
    """How the ODD's magnitudes table writes one measure: mean (lowest-highest)."""
    percent = row["measure"] in ("peer_share", "champion_share", "orgs_with_peers_share")
    if percent:
        return (
            f"| {row['measure']} | {row['month']} | {row['mean']:.1%} "
            f"({row['lowest']:.1%}-{row['highest']:.1%}) |"
        )
    return (
        f"| {row['measure']} | {row['month']} | {row['mean']:.2f} "
        f"({row['lowest']:.2f}-{row['highest']:.2f}) |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure everything and write docs/figures.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20, help="of the default run")
    parser.add_argument("--seeds", type=int, default=30, help="of the negative control")
    parser.add_argument(
        "--hindcast-seeds",
        type=int,
        default=100,
        help="of the run from 2011 (its 2017-18 share lies near the 0.05 bound: many seeds)",
    )
    parser.add_argument(
        "--draws", type=int, default=50, help="posterior draws of the validation's robustness"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes of the validation")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT}")
    parser.add_argument(
        "--dynamics-seeds", type=int, default=30, help="paired seeds of the dynamics measures"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SECTION",
        help="measure only this section (repeatable) into the figures already in --out, "
        "which the model as it is now must have made",
    )
    parser.add_argument(
        "--quotes-only",
        action="store_true",
        help="reformat the quoted sentences from the figures already in --out (no runs)",
    )
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    images = args.out == OUT
    sections = {
        "default_run": lambda: default_run(args.replications, IMAGE if images else None),
        "negative_control": lambda: negative_control(args.seeds),
        "hindcast": lambda: hindcast(args.hindcast_seeds),
        "calibration": calibration,
        "dynamics": lambda: dynamics(args.dynamics_seeds, args.workers),
        "cascade": lambda: cascade(40, args.workers),
        "stories": stories,
        "comparison": comparison,
        "riverside": riverside,
        "sweep": lambda: sweep_example(SWEEP_IMAGE if images else None),
        "validation": lambda: validation(
            args.draws, args.workers, image=VALIDATION_IMAGE if images else None
        ),
    }
    unknown = sorted(set(args.only) - set(sections))
    if unknown:
        parser.error(f"--only: unknown section {unknown[0]!r}; sections: {', '.join(sections)}")
    if args.quotes_only or args.only:
        figures = json.loads(args.out.read_text(encoding="utf-8"))
        if figures["fingerprint"] != model_fingerprint():
            parser.error(f"{args.out} was made by another model: run every section")
        # The calibration section is read from files (no runs): always refreshed, once.
        chosen = list(dict.fromkeys(["calibration", *args.only]))
    else:
        figures = {"fingerprint": model_fingerprint(), "command": " ".join(["python", *sys.argv])}
        chosen = list(sections)
    for name in chosen:
        figures[name] = sections[name]()
        if name == "default_run":  # the default run also measures the magnitudes
            figures["default_run"], figures["magnitudes"] = figures["default_run"]
    figures["quotes"] = quotes(figures)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: figures[k] for k in ("default_run", "negative_control")}, indent=2))
    print(f"written {args.out} in {time.perf_counter() - clock:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
