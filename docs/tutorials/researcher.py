# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Researcher: screen the levers, then apportion the variance
#
# You want to know which policy levers matter for the growth of the peer workforce, and
# how much of the spread in outcomes each explains. This tutorial does it in four steps:
#
# 1. a **Morris screen**, cheap, to find the levers that move the outcomes at all;
# 2. a **Sobol sweep** on the influential ones, to apportion the variance;
# 3. **`lewsim analyze`**, which computes the indices and writes a report;
# 4. the same Sobol analysis **in Python**, through `simulation.experiment`.
#
# **Sizes are small so that the page builds in under a minute**: a sector of 12
# organisations of about 40 staff, five years (60 months), one replication per design
# point and few design points. A real study uses the default sector (`lewsim params`
# lists its size), ten years and many more points: `experiments/sweeps/` holds such
# files (`morris-screen.toml`, `sobol-levers.toml`).
#
# The page runs from the repository's root. Each command is shown as you would type it;
# a small helper runs it here and prints its output.

# %%
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

WORK = Path("results/tutorials/researcher")
WORK.mkdir(parents=True, exist_ok=True)

#: The progress bar lewsim draws on a terminal: not shown on the page.
PROGRESS_BAR = re.compile(r"^[\w ]+:\s+\d+%\|")


def lewsim(*args: str) -> None:
    """Run `lewsim ARGS` as a reader would, print its last lines and stop on an error."""
    print("$ lewsim", " ".join(args))
    done = subprocess.run(
        [sys.executable, "-m", "simulation", *args], capture_output=True, text=True
    )
    lines = [
        line for line in (done.stdout + done.stderr).splitlines() if not PROGRESS_BAR.match(line)
    ]
    print("\n".join(lines[-12:]))
    done.check_returncode()


# %% [markdown]
# ## 1. A small sector, and a Morris screen
#
# A sweep varies factors over a base scenario. The base scenario fixes what the sweep
# does not vary: here, the size of the sector.

# %%
(WORK / "small-sector.toml").write_text(
    """
name = "small-sector"
description = "A small sector (12 organisations of about 40 staff) for a quick tutorial."
steps = 60
replications = 1
seed = 1

[parameters]
n_orgs = 12
mean_org_size = 40.0
"""
)

LEVERS = {
    "board_support": [0.0, 1.0],
    "pay_parity": [0.5, 1.0],
    "role_clarity": [0.1, 0.9],
    "visit_rate": [0.0, 0.2],
    "funding_envelope": [0.05, 0.3],
}


def sweep_file(name: str, design: str, samples: int, levers: dict[str, list[float]]) -> Path:
    """Write a sweep file over `levers` on the small sector and return its path."""
    factors = "".join(
        f"\n[parameters.{lever}]\nrange = {bounds}\n" for lever, bounds in levers.items()
    )
    path = WORK / f"{name}.toml"
    path.write_text(
        f"""
name = "{name}"
description = "Tutorial: a {design} design over {len(levers)} levers on a small sector."
scenario = "small-sector.toml"
steps = 60
replications = 1
seed = 7
design = "{design}"
samples = {samples}
outputs = ["peer_workers", "orgs_without_peers", "mean_stigma"]
{factors}"""
    )
    return path


morris = sweep_file("tutorial-morris", "morris", 4, LEVERS)
print(morris.read_text())

# %% [markdown]
# Morris runs `samples` trajectories of one step per factor: 4 x (5 + 1) = 24 runs.
# `--dry-run` says so without running; then the sweep runs on two processes. `--restart`
# lets this page run again over its earlier results (without it, the same command resumes
# a sweep and runs only what is missing).

# %%
lewsim("sweep", str(morris), "--dry-run")
lewsim("sweep", str(morris), "--out", str(WORK / "morris"), "--workers", "2", "--restart")

# %% [markdown]
# ## 2. What the screen says: `lewsim analyze`
#
# For each output and factor, Morris's $\mu^*$ is the mean absolute elementary effect (how
# much a step of the factor moves the output) and $\sigma$ their spread (large when the
# effect depends on the other factors: non-linearity or interactions).

# %%
lewsim("analyze", str(WORK / "morris"), "--force")
morris_indices = pd.read_csv(WORK / "morris" / "analysis" / "indices.csv")
screen = morris_indices[morris_indices["output"] == "peer_workers"].sort_values(
    "mu_star", ascending=False
)
screen

# %% [markdown]
# Keep the levers whose $\mu^*$ on peer workers is at least a tenth of the largest; the
# others could be fixed at their defaults.

# %%
influential = screen.loc[screen["mu_star"] >= 0.1 * screen["mu_star"].max(), "factor"].tolist()
print("influential:", influential)

# %% [markdown]
# ## 3. A Sobol sweep on the influential levers
#
# Sobol's first-order index $S_1$ of a factor $X_i$ is the share of the output's variance
# it explains alone, and the total index $S_T$ adds its interactions:
#
# $$
# S_{1,i} = \frac{\mathrm{Var}\left[\mathrm{E}(Y \mid X_i)\right]}{\mathrm{Var}(Y)},
# \qquad
# S_{T,i} = \frac{\mathrm{E}\left[\mathrm{Var}(Y \mid X_{\sim i})\right]}{\mathrm{Var}(Y)}.
# $$
#
# A Saltelli design of $N$ base samples and $k$ factors has $N (k + 2)$ runs.

# %%
sobol = sweep_file("tutorial-sobol", "sobol", 8, {lever: LEVERS[lever] for lever in influential})
lewsim("sweep", str(sobol), "--out", str(WORK / "sobol"), "--workers", "2", "--restart")
lewsim("analyze", str(WORK / "sobol"), "--force")
sobol_indices = pd.read_csv(WORK / "sobol" / "analysis" / "indices.csv")
sobol_indices.round(3)

# %% [markdown]
# `lewsim analyze` also writes `analysis/report.html` (indices with bootstrap intervals,
# main-effect plots) to hand on, and `lewsim export` the runs as CSV. With 8 base samples
# the intervals are wide: this is a demonstration of the steps, not a finding.

# %% [markdown]
# ## 4. The same in Python: `simulation.experiment`
#
# `experiment(**parameters)` runs one sector and returns its final-month outcomes as a
# dict, the unit of work of every sweep. Any tool that calls `f(**params) -> dict` (SALib
# here, the EMA workbench in `experiments/ema_example.py`) can drive lewsim with it.

# %%
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import sobol as sobol_sample

from simulation import experiment

problem = {
    "num_vars": len(influential),
    "names": influential,
    "bounds": [LEVERS[lever] for lever in influential],
}
design = sobol_sample.sample(problem, 8, calc_second_order=False, seed=7)
SMALL = {"steps": 60, "seed": 7, "n_orgs": 12, "mean_org_size": 40.0}
peer_workers = [
    experiment(**SMALL, **dict(zip(influential, row, strict=True)))["peer_workers"]
    for row in design
]
indices = sobol_analysis.analyze(
    problem, pd.Series(peer_workers).to_numpy(), calc_second_order=False, seed=7
)
pd.DataFrame({"S1": indices["S1"], "ST": indices["ST"]}, index=influential).round(3)

# %% [markdown]
# The sweep command adds what a plain loop does not: runs spread over processes or a Dask
# cluster, results written as they finish (a killed sweep resumes), a manifest of every
# run's seed and parameters, and the report. For a study, start from the files in
# `experiments/sweeps/` and [the sweep files how-to](../how-to/sweep-files.md).
