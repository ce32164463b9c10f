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
reads the same way. Every check's threshold, side and label (*verification*: its
direction is coded; *emergent*: it comes from interactions) is in the validation plan
(:mod:`.plan`, ``experiments/validation-plan.toml``); only emergent checks count. Each
pattern with emergent checks names its causal pathway and a cut of it
(:attr:`Pattern.pathway_cut`) under which they should be contradicted, and
:mod:`.robustness` measures in what share of posterior draws each holds. The loop-gain
experiments (:mod:`.loops`) cut the hiring, disclosure and champion loops and compare, in
the same way.

The modules, bottom up: :mod:`.arms` (arms as plain data and :func:`run_arm`, a pure
function of an arm, a seed and a horizon), :mod:`.outcomes` (what is measured in a run),
:mod:`.plan` (the validation plan), :mod:`.base` (checks, verdicts, the :class:`Pattern`
base), :mod:`.patterns` (the ten), :mod:`.loops` (the three loop-gain experiments),
:mod:`.suite` (:func:`validate`, :func:`pathway_cuts`) and :mod:`.robustness`.
"""

from simulation.runs.validation.arms import (
    CHAMPION_CUT,
    DISCLOSURE_CUT,
    GROWTH_LOOP_CUT,
    HIRING_CUT,
    LEARNING_FROZEN,
    PAY_EXIT_CUT,
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
    orgs_with_peers,
    pulse_peers,
    run_arm,
    with_params,
)
from simulation.runs.validation.base import (
    Check,
    Measure,
    Pattern,
    Verdict,
    judge,
    judge_measure,
    pattern_verdict,
    verdict_of,
)
from simulation.runs.validation.loops import (
    LOOP_MONTHS,
    LOOPS,
    PULSE_MONTH,
    PULSE_PER_ORG,
    ChampionLoop,
    DisclosureLoop,
    HiringLoop,
    LoopGain,
)
from simulation.runs.validation.outcomes import (
    adopted_count,
    adopted_share,
    at,
    change,
    culture_drop,
    curve_thirds,
    exit_rate,
    first_hire_months,
    half_rise_month,
    initially_peerless,
    linearised_ratio,
    median_years_to_first_hire,
)
from simulation.runs.validation.patterns import (
    CHAMPION_LOSS_MONTH,
    CULTURE_MONTHS,
    EXPOSURE_MONTH,
    HIDDEN_LE_ARMS,
    PATTERNS,
    S_CURVE_MONTHS,
    cascade_effects,
    pattern_by_number,
)
from simulation.runs.validation.plan import (
    DEFAULT_PLAN,
    Label,
    PlannedCheck,
    ValidationPlan,
    load_plan,
    parse_plan,
)
from simulation.runs.validation.robustness import SEEDS_PER_DRAW, robustness
from simulation.runs.validation.suite import (
    DEFAULT_PAIRS,
    HORIZON,
    QUICK_HORIZON,
    QUICK_PAIRS,
    ROOT_SEED,
    Validation,
    arms_of,
    cut_patterns,
    pathway_cuts,
    run_arms,
    validate,
)

__all__ = [
    "CHAMPION_CUT",
    "DEFAULT_PLAN",
    "GROWTH_LOOP_CUT",
    "HIDDEN_LE_ARMS",
    "LEARNING_FROZEN",
    "PAY_EXIT_CUT",
    "Label",
    "Measure",
    "PlannedCheck",
    "ValidationPlan",
    "adopted_count",
    "cascade_effects",
    "cut_patterns",
    "judge_measure",
    "load_plan",
    "parse_plan",
    "pathway_cuts",
    "run_arms",
    "SEEDS_PER_DRAW",
    "robustness",
    "CHAMPION_LOSS_MONTH",
    "CULTURE_MONTHS",
    "DEFAULT_PAIRS",
    "DISCLOSURE_CUT",
    "EXPOSURE_MONTH",
    "HIRING_CUT",
    "HORIZON",
    "LOOPS",
    "LOOP_MONTHS",
    "PATTERNS",
    "PROBES",
    "PULSE_MONTH",
    "PULSE_PER_ORG",
    "QUICK_HORIZON",
    "QUICK_PAIRS",
    "ROOT_SEED",
    "S_CURVE_MONTHS",
    "AddPeers",
    "Arm",
    "ArmRun",
    "ChampionLoop",
    "ChampionsLeave",
    "Check",
    "DisclosureLoop",
    "HiringLoop",
    "LoopGain",
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
    "first_hire_months",
    "half_rise_month",
    "initially_peerless",
    "linearised_ratio",
    "median_years_to_first_hire",
    "orgs_with_peers",
    "judge",
    "pattern_by_number",
    "pattern_verdict",
    "pulse_peers",
    "run_arm",
    "validate",
    "verdict_of",
    "with_params",
]
