# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Planner: a what-if against the baseline
#
# You plan a service and want to know what a change would do: here, *"what if every
# organisation appointed an executive champion in year 2?"* This tutorial writes the plan
# as a scenario file, compares it with the baseline on the same seeds, reads the report,
# and then asks how sure we are once the model's own parameters are uncertain too.
#
# **Sizes are small so that the page builds in under a minute**: 12 organisations of
# about 40 staff, five years, 10 paired replications. For a real plan, copy a file from
# `experiments/scenarios/` (the study's sector, ten years, 30 replications) and keep its
# sizes. The page runs from the repository's root; each command is shown as you would
# type it.

# %%
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
from IPython.display import Image, display

WORK = Path("results/tutorials/planner")
WORK.mkdir(parents=True, exist_ok=True)

#: The progress bar lewsim draws on a terminal: not shown on the page.
PROGRESS_BAR = re.compile(r"^[\w ]+:\s+\d+%\|")


def lewsim(*args: str) -> None:
    """Run `lewsim ARGS` as a reader would, print its output and stop on an error."""
    print("$ lewsim", " ".join(args))
    done = subprocess.run(
        [sys.executable, "-m", "simulation", *args], capture_output=True, text=True
    )
    lines = (done.stdout + done.stderr).splitlines()
    print("\n".join(line for line in lines if not PROGRESS_BAR.match(line)))
    done.check_returncode()


# %% [markdown]
# ## 1. The baseline and the plan, as scenario files
#
# A scenario is a small TOML file: its size, its parameters and its events (interventions
# at months). Give each its own `name` and `description`: the report labels scenarios by
# them. `[parameters]` may set any parameter (`lewsim params` lists them).

# %%
SECTOR = """
steps = 60
replications = 10
seed = 2019

[parameters]
n_orgs = 12
mean_org_size = 40.0
"""
baseline = WORK / "baseline.toml"
baseline.write_text('name = "baseline"\ndescription = "A small sector as it is."\n' + SECTOR)
plan = WORK / "exec-champion.toml"
plan.write_text(
    'name = "exec-champion"\n'
    'description = "An executive champion in every organisation from month 12."\n'
    + SECTOR
    + """
[[events]]
month = 12
type = "appoint_champion"
level = "executive"
orgs = "all"
"""
)
print(plan.read_text())

# %% [markdown]
# ## 2. Compare on the same seeds
#
# `lewsim compare` runs every scenario on the baseline's seeds: replication r of the plan
# meets the same chance events as replication r of the baseline, so the difference between
# them is the plan's effect, not luck. `--months` chooses the rows of the table.

# %%
lewsim(
    "compare", str(baseline), str(plan),
    "--months", "12,36,60", "--workers", "2", "--out", str(WORK / "compare"), "--force",
)  # fmt: skip

# %% [markdown]
# ## 3. Reading the report
#
# `report.html` in the output directory is one self-contained page to hand on: a summary in
# words, the table of differences, the figures, each scenario's events in words and the
# provenance (seeds, versions, every parameter). The same table is `differences.csv`:

# %%
differences = pd.read_csv(WORK / "compare" / "differences.csv")
differences[differences["month"] == 60][
    ["outcome", "baseline_mean", "scenario_mean", "difference", "ci_low", "ci_high", "clear"]
].round(3)

# %% [markdown]
# Each row is the mean paired difference (plan minus baseline) with its 95 % confidence
# interval. A difference is **clear** only when its interval excludes zero *and* it is
# larger than a stated practical threshold (one peer worker, half an organisation, 0.01 on
# a 0-1 score): a statistically significant but negligible difference is not called
# clear. Note the months: at month 12 the champion has just been appointed and nothing
# differs yet.

# %%
display(Image(WORK / "compare" / "differences.png"))

# %% [markdown]
# ## 4. How sure are we? The posterior
#
# The intervals above are seed noise only: every replication used the default parameters.
# But six of the model's dynamic parameters were estimated from national figures, with
# uncertainty (the ODD's section 10.2). `--posterior` draws each replication's values of
# those parameters from the packaged posterior, the same draws for the same seed in both
# scenarios, so the intervals include what we do not know about the model, too.

# %%
lewsim(
    "compare", str(baseline), str(plan), "--posterior",
    "--months", "12,36,60", "--workers", "2", "--out", str(WORK / "compare-posterior"), "--force",
)  # fmt: skip

# %%
uncertain = pd.read_csv(WORK / "compare-posterior" / "differences.csv")
both = differences.merge(uncertain, on=["outcome", "month"], suffixes=("", "_posterior"))
both["width"] = both["ci_high"] - both["ci_low"]
both["width_posterior"] = both["ci_high_posterior"] - both["ci_low_posterior"]
both[both["month"] == 60][
    ["outcome", "difference", "width", "difference_posterior", "width_posterior"]
].round(3)

# %% [markdown]
# Compare the widths: where the interval widens much under the posterior, the answer
# depends on how the model is calibrated, and a plan should not rest on its exact size.
# With 10 replications both are rough; a real comparison uses 30 or more.
#
# Next: [scenario files](../how-to/scenario-files.md) lists every event type and how
# `orgs` selects organisations; [the posterior](../how-to/posterior.md) says what it is
# and how to use your own.
