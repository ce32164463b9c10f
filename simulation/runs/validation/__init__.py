"""Pattern-oriented validation: the seed study's ten patterns as controlled experiments.

Each pattern (docs/ODD.md section 13) is one class in :mod:`.patterns`, registered in
:data:`PATTERNS`: it holds its *arms* (configurations of the sector run on the same seeds,
so that both arms of a pair share every random draw the manipulation does not touch:
common random numbers), turns their runs into *checks*, and draws its figure. A check's
effect is the mean of per-seed values (mostly paired differences) with a t-based 95 %
confidence interval, and its verdict is holds, contradicted or inconclusive by where that
interval lies against zero (:mod:`.base`). Patterns about time order (1), shape (3) and
critical mass (6) have checks of their own kind (half-rise times, thirds of a growth curve,
marginal effects of added peers), summarised with the same interval, so every verdict
reads the same way.

The modules, bottom up: :mod:`.arms` (arms as plain data and :func:`run_arm`, a pure
function of an arm, a seed and a horizon), :mod:`.outcomes` (what is measured in a run),
:mod:`.base` (checks, verdicts, the :class:`Pattern` base), :mod:`.patterns` (the ten) and
:mod:`.suite` (:func:`validate`).
"""

from simulation.runs.validation.arms import (
    PROBES,
    AddPeers,
    Arm,
    ArmRun,
    ChampionsLeave,
    Manipulation,
    Runs,
    add_peers_to_every_team,
    arm,
    champions_leave,
    run_arm,
)
from simulation.runs.validation.base import (
    Check,
    Pattern,
    Verdict,
    judge,
    pattern_verdict,
    verdict_of,
)
from simulation.runs.validation.outcomes import (
    adopted_share,
    at,
    change,
    culture_drop,
    curve_thirds,
    exit_rate,
    half_rise_month,
    initially_peerless,
)
from simulation.runs.validation.patterns import (
    CHAMPION_LOSS_MONTH,
    CULTURE_MONTHS,
    EXPOSURE_MONTH,
    PATTERNS,
    S_CURVE_MONTHS,
    pattern_by_number,
)
from simulation.runs.validation.suite import (
    DEFAULT_PAIRS,
    HORIZON,
    QUICK_HORIZON,
    QUICK_PAIRS,
    ROOT_SEED,
    Validation,
    arms_of,
    validate,
)

__all__ = [
    "CHAMPION_LOSS_MONTH",
    "CULTURE_MONTHS",
    "DEFAULT_PAIRS",
    "EXPOSURE_MONTH",
    "HORIZON",
    "PATTERNS",
    "PROBES",
    "QUICK_HORIZON",
    "QUICK_PAIRS",
    "ROOT_SEED",
    "S_CURVE_MONTHS",
    "AddPeers",
    "Arm",
    "ArmRun",
    "ChampionsLeave",
    "Check",
    "Manipulation",
    "Pattern",
    "Runs",
    "Validation",
    "Verdict",
    "add_peers_to_every_team",
    "adopted_share",
    "arm",
    "arms_of",
    "at",
    "champions_leave",
    "change",
    "culture_drop",
    "curve_thirds",
    "exit_rate",
    "half_rise_month",
    "initially_peerless",
    "judge",
    "pattern_by_number",
    "pattern_verdict",
    "run_arm",
    "validate",
    "verdict_of",
]
