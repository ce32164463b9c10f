"""Parameter sweeps: a sweep file, its design, its runs, and running them on any executor.

A sweep file (TOML) names a starting scenario (optional), the settings of every run, a
sampling design and the factors it varies::

    name = "board-vs-visits"
    scenario = "../scenarios/baseline.toml"   # relative to this file (or the directory
    steps = 60                                # the command runs in)
    replications = 2
    seed = 7
    design = "lhs"            # factorial | list | lhs | sobol | morris
    samples = 8               # size for lhs / sobol / morris
    outputs = ["peer_workers", "mean_stigma"]
    every = 12                # optional: also keep the outputs every 12 months

    [parameters.board_support]
    range = [0.0, 1.0]
    [parameters.manager_network]
    levels = [true, false]
    [parameters."events.exec-champion.month"]    # a field of the scenario's event
    range = [0, 60]                              # named "exec-champion" (or events.0.month)

A sweep on a sector file (``sector = "../sectors/riverside.toml"``, relative to the sweep
file, or the base scenario's) may vary one organisation's own lever:
``[parameters."organisations.Northside CMHT.board_support"]``.

A factor is a model parameter, a field of one of the base scenario's events or, with a
sector file, one organisation's lever (one of ``ORG_LEVERS``). It has a
``range`` (numbers; whole numbers for integer fields), ``levels`` (a list of values) or,
for the ``list`` design, ``values`` (one per design point).

:func:`design_points` turns the file into design points: every combination of levels
(``factorial``), the listed points (``list``), a Latin hypercube (``lhs``, from
``scipy.stats.qmc``), Saltelli's sample for Sobol indices (``sobol``, from SALib, ``samples
* (factors + 2)`` points) or Morris trajectories (``morris``, from SALib, ``samples *
(factors + 1)`` points). Each point is run ``replications`` times. Replicate ``r`` of every
point gets the same seed, ``SeedSequence(seed).spawn(...)[r]`` (common random numbers, as
in ``lewsim compare``): differences between points are then effects of the factors, not of
chance. Every run has a ``run_id``, a stable hash of its factor values, replicate and base
seed, so a resumed sweep knows what is done.

:func:`execute` runs the pending runs sequentially, in a local process pool or on a Dask
cluster, handing finished rows in batches to a sink (the outputs layer's shard store
writes them to disk). A run that raises is recorded with status ``error`` and its message;
the sweep goes on. The unit of work is :func:`simulation.runs.jobs.carry_out_batch`, which
runs replicates that share a set-up as one batch (:mod:`simulation.runs.batch`); workers
import nothing above the run layer.

The package's modules: :mod:`~simulation.runs.sweeps.sweep_file` (the file and its
runs), :mod:`~simulation.runs.sweeps.designs` (the designs) and
:mod:`~simulation.runs.sweeps.executors` (carrying the runs out).
"""

from simulation.runs.sweeps.designs import DESIGNS, MORRIS_LEVELS, design_size, salib_problem
from simulation.runs.sweeps.executors import (
    DASK_PORT,
    SCHEDULER_TIMEOUT,
    Progress,
    Sink,
    check_dask,
    execute,
)
from simulation.runs.sweeps.sweep_file import (
    MAX_RUNS,
    Factor,
    FactorSpec,
    Sweep,
    SweepError,
    SweepFile,
    load_sweep,
    run_id,
    sweep_from_text,
)

__all__ = [
    "DASK_PORT",
    "DESIGNS",
    "MAX_RUNS",
    "MORRIS_LEVELS",
    "SCHEDULER_TIMEOUT",
    "Factor",
    "FactorSpec",
    "Progress",
    "Sink",
    "Sweep",
    "SweepError",
    "SweepFile",
    "check_dask",
    "design_size",
    "execute",
    "load_sweep",
    "run_id",
    "salib_problem",
    "sweep_from_text",
]
