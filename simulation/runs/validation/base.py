"""What every pattern shares: checks, their three verdicts, and the :class:`Pattern` base.

A check is one judged statement: per-seed values (usually paired differences between two
arms) summarised by their mean and 95 % confidence interval
(:func:`simulation.runs.statistics.mean_interval`). Its verdict has three values:

- **holds**: the interval lies wholly on the expected side of the check's reference value
  (zero for a paired difference, a stated threshold for an emergent check);
- **contradicted**: the interval lies wholly on the other side;
- **inconclusive**: the interval spans the reference, or there is none (fewer than two
  values), so the seeds cannot tell; more pairs or a longer horizon may resolve it.

A pattern measures (:class:`Measure`: a check's key, words and per-seed values); the
validation plan (:mod:`.plan`, ``experiments/validation-plan.toml``) gives each check its
threshold, the side it must lie on, and its label: *verification* (its direction is coded
into a process equation) or *emergent* (it comes from interactions and could have gone
either way). :func:`judge_measure` puts the two together. Only emergent checks count
towards "patterns hold", and each pattern with emergent checks names its causal pathway
and a cut of it (:attr:`Pattern.pathway_cut`) under which they should be contradicted.

A pattern (a subclass of :class:`Pattern`, in the manner of starsim's analyzers) holds
its arms, turns their runs into measures, and draws its figure on a figure that the
outputs layer hands it, so this layer never imports matplotlib.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

import numpy as np

from simulation.runs.statistics import mean_interval
from simulation.runs.validation.arms import Arm, Runs
from simulation.runs.validation.outcomes import series_matrix
from simulation.runs.validation.plan import ValidationPlan


class Verdict(StrEnum):
    """The verdict of a check, or of a pattern from its checks."""

    HOLDS = "holds"
    CONTRADICTED = "contradicted"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Check:
    """One judged statement about a pattern.

    Attributes:
        pattern: Pattern number (1-10).
        statement: What is claimed, in words.
        outcome: What is measured.
        comparison: The arms or the statistic compared.
        expected: ``"+"`` if the effect should be above ``reference``, ``"-"`` if below.
        effect: Mean over seeds.
        low: Lower end of the 95 % confidence interval of the mean (NaN if none).
        high: Upper end.
        pairs: Seeds (pairs) the mean is over.
        verdict: Where the interval lies against ``reference`` (see :class:`Verdict`).
        reference: The value the interval is judged against (0 for a paired difference).
        emergent: Whether the check is emergent (see the module's docstring).
        key: Its key in the validation plan (``"1e"``), or ``""`` outside a pattern.
        reason: Why it is labelled so (the plan's one line), or ``""``.
    """

    pattern: int
    statement: str
    outcome: str
    comparison: str
    expected: str
    effect: float
    low: float
    high: float
    pairs: int
    verdict: Verdict
    reference: float = 0.0
    emergent: bool = False
    key: str = ""
    reason: str = ""

    @property
    def label(self) -> str:
        """``"emergent"`` or ``"verification"``."""
        return "emergent" if self.emergent else "verification"

    @property
    def holds(self) -> bool:
        """Whether the interval lies wholly on the expected side of the reference."""
        return self.verdict is Verdict.HOLDS


def verdict_of(low: float, high: float, expected: str, reference: float = 0.0) -> Verdict:
    """The verdict of an interval against a reference value.

    Args:
        low: Lower end of the interval (NaN if there is none).
        high: Upper end.
        expected: ``"+"`` or ``"-"``, the side of ``reference`` the claim expects.
        reference: The value judged against (zero for a paired difference).

    Returns:
        Holds if the interval is wholly on the expected side, contradicted if wholly on
        the other side, inconclusive otherwise (it spans the reference, touches it, or is
        NaN).
    """
    above, below = low > reference, high < reference  # both False for a NaN interval
    if expected == "+":
        return Verdict.HOLDS if above else Verdict.CONTRADICTED if below else Verdict.INCONCLUSIVE
    return Verdict.HOLDS if below else Verdict.CONTRADICTED if above else Verdict.INCONCLUSIVE


def judge(
    pattern: int,
    statement: str,
    outcome: str,
    comparison: str,
    values: Sequence[float] | np.ndarray,
    expected: str = "+",
    *,
    reference: float = 0.0,
    emergent: bool = False,
    key: str = "",
    reason: str = "",
) -> Check:
    """Summarise per-seed effects into a :class:`Check`.

    Args:
        pattern: Pattern number.
        statement: The claim.
        outcome: The measured outcome.
        comparison: What was compared (e.g. ``"visits - isolated"``).
        values: Per-seed effects (a paired difference, or a statistic minus its
            reference value).
        expected: ``"+"`` or ``"-"``.
        reference: The threshold the interval is judged against (default 0).
        emergent: Whether the check is emergent (not a restated sign).
        key: Its key in the validation plan, if it has one.
        reason: Why it is labelled so.

    Returns:
        The check, with its verdict from :func:`verdict_of`.

    Raises:
        ValueError: If ``expected`` is neither ``"+"`` nor ``"-"``.
    """
    if expected not in ("+", "-"):
        raise ValueError(f"expected must be '+' or '-', got {expected!r}")
    mean, low, high = mean_interval(values)
    verdict = verdict_of(low, high, expected, reference)
    return Check(
        pattern,
        statement,
        outcome,
        comparison,
        expected,
        mean,
        low,
        high,
        len(values),
        verdict,
        float(reference),
        emergent,
        key,
        reason,
    )


@dataclass(frozen=True)
class Measure:
    """What a pattern measured for one check, before the plan judges it.

    Attributes:
        key: The check's key in the validation plan (``"1e"``).
        statement: The claim; ``{threshold}`` in it is replaced by the plan's threshold
            (with a format spec if given: ``{threshold:.0%}``).
        outcome: The measured outcome.
        comparison: What was compared.
        values: Per-seed effects.
    """

    key: str
    statement: str
    outcome: str
    comparison: str
    values: np.ndarray


def judge_measure(pattern: int, measure: Measure, plan: ValidationPlan) -> Check:
    """Judge a measure against its entry in the validation plan.

    Args:
        pattern: Pattern number.
        measure: What the pattern measured.
        plan: The validation plan (threshold, side, label and reason of each check).

    Returns:
        The check.

    Raises:
        KeyError: If the plan has no entry for the measure's key.
    """
    entry = plan.check(measure.key)
    threshold = entry.threshold

    def words(text: str) -> str:
        return text.format(threshold=threshold)

    return judge(
        pattern,
        words(measure.statement),
        words(measure.outcome),
        words(measure.comparison),
        measure.values,
        entry.expected,
        reference=threshold,
        emergent=entry.emergent,
        key=measure.key,
        reason=entry.reason,
    )


def pattern_verdict(verdicts: Iterable[str]) -> Verdict:
    """A pattern's verdict from its checks' verdicts.

    Args:
        verdicts: The verdicts of the pattern's checks.

    Returns:
        Holds if every check holds; contradicted if any check is contradicted;
        inconclusive otherwise (including a pattern without checks).
    """
    verdicts = [Verdict(each) for each in verdicts]
    if verdicts and all(each is Verdict.HOLDS for each in verdicts):
        return Verdict.HOLDS
    if Verdict.CONTRADICTED in verdicts:
        return Verdict.CONTRADICTED
    return Verdict.INCONCLUSIVE


class Canvas(Protocol):
    """What a pattern draws on: a matplotlib ``Figure`` (its ``subplots`` gives the axes)."""

    def subplots(self, nrows: int = 1, ncols: int = 1) -> Any:
        """Add a grid of axes and return them."""
        ...


#: Opacity of the 95 % bands in the figures.
BAND_ALPHA = 0.2


def draw_band(axes: Any, months: np.ndarray, matrix: np.ndarray, label: str, **style: Any) -> None:
    """Draw the mean of seeds x months over years, with its 95 % confidence band.

    Args:
        axes: A matplotlib ``Axes``.
        months: The months of the matrix's columns.
        matrix: Seeds x months.
        label: Legend label of the line.
        **style: Passed to ``axes.plot``.
    """
    mean, low, high = mean_interval(matrix)
    (line,) = axes.plot(months / 12, mean, label=label, **style)
    axes.fill_between(months / 12, low, high, color=line.get_color(), alpha=BAND_ALPHA, lw=0)


class Pattern(ABC):
    """A pattern of the seed study: its arms, its checks, and its figure.

    A subclass sets the class attributes and implements :meth:`checks` and :meth:`plot`;
    :data:`simulation.runs.validation.PATTERNS` registers one instance of each.

    Attributes:
        number: 1-10.
        title: Short title.
        claim: The pattern in the study's words.
        method: How it is judged, in a sentence or two.
        arms: The arms it needs (an arm shared with another pattern runs once).
        figure_size: Width and height of its figure, in inches.
        pathway: The causal pathway the study claims for the pattern (../STUDY.md).
        pathway_cut: Parameters, set in every one of its arms, that cut that pathway while
            the rest of the model runs; under them its emergent checks should be
            contradicted (a negative control). Empty for a pattern without emergent checks.
        cut_reason: How the cut removes the pathway, in a sentence.
    """

    number: ClassVar[int]
    title: ClassVar[str]
    claim: ClassVar[str]
    method: ClassVar[str]
    arms: ClassVar[tuple[Arm, ...]]
    figure_size: ClassVar[tuple[float, float]] = (7.0, 3.6)
    pathway: ClassVar[str] = ""
    pathway_cut: ClassVar[Mapping[str, Any]] = MappingProxyType({})
    cut_reason: ClassVar[str] = ""

    @abstractmethod
    def checks(self, runs: Runs, months: int) -> list[Measure]:
        """Measure the pattern's checks (:meth:`judged` judges them against the plan).

        Args:
            runs: Arm name -> one run per seed, in seed order (at least this pattern's arms).
            months: The validation's horizon.

        Returns:
            One measure per check, keyed as in the validation plan.
        """

    def judged(self, runs: Runs, months: int, plan: ValidationPlan) -> list[Check]:
        """The pattern's checks, judged against the validation plan."""
        return [judge_measure(self.number, each, plan) for each in self.checks(runs, months)]

    @abstractmethod
    def plot(self, figure: Canvas, runs: Runs) -> None:
        """Draw the pattern's figure.

        Args:
            figure: An empty matplotlib ``Figure`` of :attr:`figure_size`, made by the
                outputs layer; the pattern adds its axes with ``figure.subplots``.
            runs: Arm name -> one run per seed, in seed order.
        """

    def measure(
        self,
        letter: str,
        statement: str,
        outcome: str,
        comparison: str,
        values: Sequence[float] | np.ndarray,
    ) -> Measure:
        """A :class:`Measure` of this pattern's check ``letter`` (its key: number + letter)."""
        return Measure(
            f"{self.number}{letter}", statement, outcome, comparison, np.asarray(values, float)
        )

    def label(self, name: str) -> str:
        """How figures name one of the pattern's arms (its name if it has no such arm)."""
        return next((each.label for each in self.arms if each.name == name), name)

    def plot_arms(self, figure: Canvas, runs: Runs, column: str, names: Sequence[str]) -> None:
        """Draw one sector column over years for some arms (mean and 95 % band).

        Args:
            figure: The figure to draw on.
            runs: Arm name -> one run per seed.
            column: A sector column.
            names: The arms to draw, in legend order.
        """
        axes = figure.subplots(1, 1)
        for name in names:
            matrix = series_matrix(runs[name], column)
            draw_band(axes, np.arange(matrix.shape[1]), matrix, self.label(name))
        words = column.replace("_", " ")
        axes.set_xlabel("years")
        axes.set_ylabel(words)
        axes.set_title(f"{words.capitalize()} by arm (mean, 95 % band)")
        axes.legend(frameon=False, fontsize="small")

    def __repr__(self) -> str:
        return f"<pattern {self.number}: {self.title}>"
