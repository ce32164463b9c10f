"""lewsim: how the Lived Experience (peer) workforce grows, or stalls, in mental-health services.

The model is :class:`SectorModel` (a Mesa model); :func:`simulate` runs one sector and
returns its monthly time series with the columns in :data:`SECTOR_COLUMNS`.
"""

from simulation.agents import Clinician, Manager, PeerWorker, StaffAgent
from simulation.model import SectorModel, simulate
from simulation.parameters import ParameterError, Parameters, validate_parameters
from simulation.reporters import SECTOR_COLUMNS

__version__ = "0.1.0"

__all__ = [
    "SECTOR_COLUMNS",
    "Clinician",
    "Manager",
    "ParameterError",
    "Parameters",
    "PeerWorker",
    "SectorModel",
    "StaffAgent",
    "__version__",
    "simulate",
    "validate_parameters",
]
