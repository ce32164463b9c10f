"""lewsim: how the Lived Experience (peer) workforce grows, or stalls, in mental-health services.

The model is :class:`SectorModel` (a Mesa model); :func:`simulate` runs one sector and
returns its monthly time series with the columns in :data:`SECTOR_COLUMNS`;
:func:`experiment` runs one and returns its final-month outcomes as a dict (a model
function for the EMA workbench or any ``f(**params) -> dict`` tool). Importing the
package loads the model core only. The layers above it load on first use (PEP 562):
:class:`Scenario`, :func:`run_scenario`, :func:`compare` and :func:`simulate_batch` (many
replications of one set-up as one vectorised sector) come from
:mod:`simulation.runs`; files, figures and reports from :mod:`simulation.outputs`; the
command line from :mod:`simulation.cli`.
"""

from importlib import import_module
from typing import Any

from simulation.core.agents import Clinician, Manager, PeerWorker, StaffAgent
from simulation.core.model import SectorModel, simulate
from simulation.core.outcomes import experiment
from simulation.core.parameters import ParameterError, Parameters, validate_parameters
from simulation.core.reporters import SECTOR_COLUMNS

__version__ = "0.1.0"

#: Names exported from the runs layer, loaded when first asked for.
_LAZY = {
    "Comparison": "simulation.runs.comparison",
    "compare": "simulation.runs.comparison",
    "Scenario": "simulation.runs.scenarios",
    "ScenarioError": "simulation.runs.scenarios",
    "run_scenario": "simulation.runs.scenarios",
    "simulate_batch": "simulation.runs.batch",
}

__all__ = [
    "SECTOR_COLUMNS",
    "Clinician",
    "Comparison",
    "Manager",
    "ParameterError",
    "Parameters",
    "PeerWorker",
    "Scenario",
    "ScenarioError",
    "SectorModel",
    "StaffAgent",
    "__version__",
    "compare",
    "experiment",
    "run_scenario",
    "simulate",
    "simulate_batch",
    "validate_parameters",
]


def __getattr__(name: str) -> Any:
    """Load a name of the runs layer on first use, so ``import simulation`` stays light."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
