"""Calibration: national figures as targets, one distance, and two searches over them.

One vocabulary for both searches, each module doing one job:

- :mod:`~simulation.runs.calibration.targets`: the :class:`Target` type, the 2017 figures
  of the default sector (:data:`TARGETS`), the hindcast's national figures
  (:data:`NATIONAL_FIGURES`) and :func:`distance`;
- :mod:`~simulation.runs.calibration.measure`: the 2017 figures read off runs, and their
  table over seeds (:func:`calibration_table`);
- :mod:`~simulation.runs.calibration.hindcast`: the run from 2011-12 and its figures;
- :mod:`~simulation.runs.calibration.priors`: what ABC estimates, over which ranges;
- :mod:`~simulation.runs.calibration.posterior`: the :class:`Posterior` type (weighted
  draws), how a replication draws from it, and its summaries;
- :mod:`~simulation.runs.calibration.posterior_file`: reading and checking a posterior CSV;
- :mod:`~simulation.runs.calibration.predictive`: the posterior predictive check and its
  scores;
- the two drivers: :mod:`~simulation.runs.calibration.point_search` (a two-stage Latin
  hypercube on the 2017 figures, ``experiments/calibrate.py``) and
  :mod:`~simulation.runs.calibration.abc` (ABC-SMC on the hindcast,
  ``experiments/calibrate_abc.py``).

The names below are re-exported so that callers import from the package.
"""

from simulation.runs.calibration.abc import AbcResult, AbcSettings, abc_search
from simulation.runs.calibration.hindcast import (
    HINDCAST_MONTHS,
    HINDCAST_START_YEAR,
    MAGNITUDE_CRITERIA,
    default_nuisances,
    defaults_hindcast,
    hindcast_figures,
    hindcast_params,
    run_hindcast,
)
from simulation.runs.calibration.measure import (
    MONTHS,
    calibration_table,
    mean_figures,
    measure,
    measure_many,
    month0_figures,
    series_figures,
    table_from_runs,
)
from simulation.runs.calibration.point_search import (
    REFERENCE,
    SEARCH_SPACE,
    SearchResult,
    SearchSettings,
    search,
)
from simulation.runs.calibration.posterior import (
    Posterior,
    posterior_correlations,
    posterior_note,
    posterior_table,
)
from simulation.runs.calibration.posterior_file import (
    DEFAULT_POSTERIOR,
    DEFAULT_PROVENANCE,
    load_posterior,
    posterior_from_frame,
)
from simulation.runs.calibration.predictive import (
    crps,
    held_out_predictions,
    interval_score,
    predictive_check,
    predictive_runs,
    predictive_table,
)
from simulation.runs.calibration.priors import NUISANCES, PRIOR_NAMES, PRIORS, Prior
from simulation.runs.calibration.targets import (
    BAND_PENALTY,
    FITTED,
    FITTED_FIGURES,
    HELD_OUT,
    NATIONAL_FIGURES,
    PATTERN_CRITERIA,
    TARGET_NAMES,
    TARGETS,
    Target,
    distance,
    magnitude_criteria,
)

__all__ = [
    "BAND_PENALTY",
    "DEFAULT_POSTERIOR",
    "DEFAULT_PROVENANCE",
    "FITTED",
    "FITTED_FIGURES",
    "HELD_OUT",
    "HINDCAST_MONTHS",
    "HINDCAST_START_YEAR",
    "MAGNITUDE_CRITERIA",
    "MONTHS",
    "PATTERN_CRITERIA",
    "NATIONAL_FIGURES",
    "NUISANCES",
    "PRIORS",
    "PRIOR_NAMES",
    "REFERENCE",
    "SEARCH_SPACE",
    "TARGETS",
    "TARGET_NAMES",
    "AbcResult",
    "AbcSettings",
    "Posterior",
    "Prior",
    "SearchResult",
    "SearchSettings",
    "Target",
    "abc_search",
    "calibration_table",
    "crps",
    "default_nuisances",
    "defaults_hindcast",
    "distance",
    "held_out_predictions",
    "hindcast_figures",
    "hindcast_params",
    "magnitude_criteria",
    "interval_score",
    "load_posterior",
    "mean_figures",
    "measure",
    "measure_many",
    "month0_figures",
    "posterior_correlations",
    "posterior_from_frame",
    "posterior_note",
    "posterior_table",
    "predictive_check",
    "predictive_runs",
    "predictive_table",
    "run_hindcast",
    "search",
    "series_figures",
    "table_from_runs",
]
