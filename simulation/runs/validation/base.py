"""What every pattern shares: checks, their three verdicts, and the :class:`Pattern` base.

A check is one judged statement: per-seed values (usually paired differences between two
arms) summarised by their mean and 95 % confidence interval
(:func:`simulation.runs.statistics.mean_interval`). Its verdict has three values:

- **holds**: the interval lies wholly on the expected side of the check's reference value
  (zero for a paired difference, a stated threshold for an emergent check);
- **contradicted**: the interval lies wholly on the other side;
- **inconclusive**: the interval spans the reference, or there is none (fewer than two
  values), so the seeds cannot tell; more pairs or a longer horizon may resolve it.

A check is *emergent* when what it measures is not written into any one mechanism: a size
or a time that comes out of a chain of processes (a lag in months, a relative effect on
peer numbers years later, a share of an effect that goes through one path), judged
against a threshold taken from the study's statements. Such a check can fail, and each
pattern names a parameter region where its emergent check does (:attr:`Pattern.
failure_region`); a check that only restates the sign of a coded effect is not emergent.

A pattern (a subclass of :class:`Pattern`, in the manner of starsim's analyzers) holds
its arms, turns their runs into checks, and draws its figure on a figure that the outputs
layer hands it, so this layer never imports matplotlib.
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
        failure_region: Parameters, set in every one of its arms, under which its
            emergent check should not hold (the check is a test, not a restatement).
        failure_reason: Why the emergent check should fail there, in a sentence.
    """

    number: ClassVar[int]
    title: ClassVar[str]
    claim: ClassVar[str]
    method: ClassVar[str]
    arms: ClassVar[tuple[Arm, ...]]
    figure_size: ClassVar[tuple[float, float]] = (7.0, 3.6)
    failure_region: ClassVar[Mapping[str, Any]] = MappingProxyType({})
    failure_reason: ClassVar[str] = ""

    @abstractmethod
    def checks(self, runs: Runs, months: int) -> list[Check]:
        """Judge the pattern.

        Args:
            runs: Arm name -> one run per seed, in seed order (at least this pattern's arms).
            months: The validation's horizon.

        Returns:
            The pattern's checks.
        """

    @abstractmethod
    def plot(self, figure: Canvas, runs: Runs) -> None:
        """Draw the pattern's figure.

        Args:
            figure: An empty matplotlib ``Figure`` of :attr:`figure_size`, made by the
                outputs layer; the pattern adds its axes with ``figure.subplots``.
            runs: Arm name -> one run per seed, in seed order.
        """

    def judge(
        self,
        statement: str,
        outcome: str,
        comparison: str,
        values: Sequence[float] | np.ndarray,
        expected: str = "+",
        *,
        reference: float = 0.0,
        emergent: bool = False,
    ) -> Check:
        """:func:`judge` for this pattern."""
        return judge(
            self.number,
            statement,
            outcome,
            comparison,
            values,
            expected,
            reference=reference,
            emergent=emergent,
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
