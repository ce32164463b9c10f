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
- ``stories``: the app's three stories on seed 1, with their event and without it;
- ``comparison``: the README's comparison example (baseline, executive champion, LE
  leader; 30 paired replications): peers at month 120, each minus the baseline;
- ``sweep``: the README's sweep example (``experiments/sweeps/sobol-levers.toml``, 1,024
  runs, ``lewsim sweep`` then ``lewsim analyze``): every S1 and ST, and its figure
  ``docs/images/sweep_indices.png``.

``quotes`` lists, for each document, the sentences that quote these numbers, formatted
from them; ``tests/test_figures.py`` checks that each document holds its sentences and that
the file was made by the model as it is now (``fingerprint``), so no stale number survives
a model change. Example::

    python experiments/make_figures.py            # about two minutes on two cores
"""

from __future__ import annotations

import argparse
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

from simulation.core.parameters import Parameters
from simulation.runs.calibration import NATIONAL_FIGURES, default_nuisances, defaults_hindcast
from simulation.runs.comparison import compare
from simulation.runs.magnitudes import MEASURES, load_ranges, magnitudes
from simulation.runs.replications import (
    model_fingerprint,
    replication_seed,
    run_replication,
    run_replications,
)
from simulation.runs.scenarios import Scenario
from simulation.runs.statistics import annual_growth
from simulation.runs.validation.outcomes import learning_control

ROOT = Path(__file__).resolve().parent.parent
RANGES = ROOT / "experiments" / "plausible-ranges.toml"
SCENARIOS = ROOT / "experiments" / "scenarios"
STORY_DIR = ROOT / "simulation" / "app" / "stories"
OUT = ROOT / "docs" / "figures.json"
#: The README's figure of the default run (written with the default --out only).
IMAGE = ROOT / "docs" / "images" / "default_run.png"
#: The README's figure of the sweep example.
SWEEP_IMAGE = ROOT / "docs" / "images" / "sweep_indices.png"
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


def negative_control(seeds: int) -> dict:
    """Initially peerless organisations employing peers by year 10, learning on and frozen."""
    counts = learning_control([replication_seed(17, s) for s in range(seeds)])
    tallies = {
        name: {"peerless": peerless, "adopted": adopted}
        for name, (peerless, adopted) in counts.items()
    }
    fall = 1.0 - tallies["frozen"]["adopted"] / max(tallies["learning"]["adopted"], 1)
    return {"seeds": seeds, "root_seed": 17, **tallies, "fall": fall}


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
            f"{total['peer_workers.funding_envelope']:.2f}), board support most of the spread "
            f"in stigma ({total['mean_stigma.board_support']:.2f})",
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
            f"{control['learning']['adopted']} of {control['learning']['peerless']} "
            f"initially peerless organisations employ peers by year 10 with learning on, "
            f"{control['frozen']['adopted']} with learning frozen",
        ),
        ("docs/ODD.md", f"a fall of {percent(control['fall'])}"),
        ("docs/ODD.md", f"at the defaults: {hindcast_text}"),
    ]
    for row in figures["magnitudes"]["rows"]:
        rows.append(("docs/ODD.md", magnitude_cell(row)))
    return [{"file": file, "text": text} for file, text in rows]


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
    parser.add_argument("--seeds", type=int, default=10, help="of the negative control")
    parser.add_argument(
        "--hindcast-seeds",
        type=int,
        default=100,
        help="of the run from 2011 (its 2017-18 share lies near the 0.05 bound: many seeds)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT}")
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    run, table = default_run(args.replications, IMAGE if args.out == OUT else None)
    figures = {
        "fingerprint": model_fingerprint(),
        "command": " ".join(["python", *sys.argv]),
        "default_run": run,
        "magnitudes": table,
        "negative_control": negative_control(args.seeds),
        "hindcast": hindcast(args.hindcast_seeds),
        "stories": stories(),
        "comparison": comparison(),
        "sweep": sweep_example(SWEEP_IMAGE if args.out == OUT else None),
    }
    figures["quotes"] = quotes(figures)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: figures[k] for k in ("default_run", "negative_control")}, indent=2))
    print(f"written {args.out} in {time.perf_counter() - clock:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
