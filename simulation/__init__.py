"""lewsim: how the Lived Experience (peer) workforce grows, or stalls, in mental-health services.

The model is :class:`SectorModel` (a Mesa model); :func:`simulate` runs one sector and
returns its monthly time series with the columns in :data:`SECTOR_COLUMNS`. A
:class:`Scenario` (a TOML file of settings, parameters and events; see
``experiments/scenarios/``) runs with :func:`run_scenario`.
"""

from simulation.agents import Clinician, Manager, PeerWorker, StaffAgent
from simulation.model import SectorModel, simulate
from simulation.parameters import ParameterError, Parameters, validate_parameters
from simulation.reporters import SECTOR_COLUMNS

__version__ = "0.1.0"

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
    "run_scenario",
    "simulate",
    "validate_parameters",
]

# Last: scenarios (and comparisons of them) build on the experiment layer, which imports the
# names above. The model modules never import them.
from simulation.comparison import Comparison, compare  # noqa: E402
from simulation.scenarios import Scenario, ScenarioError, run_scenario  # noqa: E402
