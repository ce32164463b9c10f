"""Loop-gain experiments: cut one of the study's feedback loops and compare, on paired seeds.

A loop has gain when cutting it (setting the parameters through which its output feeds
back to zero) changes what it produces by a material amount. Each experiment here is one
class, in the manner of the patterns: its arms (run on the same seeds as everything else,
so the cut and uncut sector share every random draw the cut does not touch), its checks
(each an effect with a 95 % interval and a three-valued verdict, :mod:`.base`) and its
figure. :data:`LOOPS` registers them. They read month :data:`LOOP_MONTHS` of the shared
baseline arm, so they run only in a validation at least that long (the full one).

- **Hiring loop** (:class:`HiringLoop`): peers make peer work visible to the decision-
  makers (``evidence_weight``) and team leaders who work with peers ask for more posts
  (``request_weight``). A pulse of funded peers at month 48 should be kept, and more than
  kept, by 10 years with the loop (issue 11's target: retention >= 1) and less without it.
- **Disclosure loop** (:class:`DisclosureLoop`): a colleague who has disclosed makes the
  circle feel safer (``disclosure_safety``) and counts as an LE contact
  (``disclosed_weight``), which lowers stigma. Without that feedback the 8-year rise in
  the disclosed share must lose at least 30 % (issue 11's target).
- **Champion loop** (:class:`ChampionLoop`): champions push commitment
  (``champion_weight``), resourcing (``champion_push``) and safety (``champion_safety``).
  With those effects at zero the sector must have fewer peers at 10 years.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, override

import numpy as np

from simulation.runs.validation.arms import (
    CHAMPION_CUT,
    HIRING_CUT,
    AddPeers,
    Arm,
    ArmRun,
    Runs,
    arm,
)
from simulation.runs.validation.base import Check, draw_band, judge
from simulation.runs.validation.outcomes import at, linearised_ratio, series_matrix
from simulation.runs.validation.patterns import BASELINE, DISCLOSURE_CUT_ARM, DISCLOSURE_MONTHS

#: Month at which the loops are read (10 years; the baseline arm must reach it).
LOOP_MONTHS = 120
#: Month before whose step the hiring loop's pulse is added.
PULSE_MONTH = 48
#: Funded peers the pulse adds to every organisation that employs peers.
PULSE_PER_ORG = 2
#: Share of the disclosure rise the cut must lose for the loop to have gain (issue 11).
DISCLOSURE_SHARE_LOST = 0.30

_PULSE = AddPeers(month=PULSE_MONTH, per_org=PULSE_PER_ORG)


class LoopGain(ABC):
    """One loop-gain experiment: its arms, its checks and its figure.

    Attributes:
        key: Short name (``hiring``, ``disclosure``, ``champion``).
        title: Short title.
        claim: What the loop should do, in words.
        method: How it is cut and compared.
        arms: The arms it needs besides the shared baseline (which it also lists).
    """

    key: ClassVar[str]
    title: ClassVar[str]
    claim: ClassVar[str]
    method: ClassVar[str]
    arms: ClassVar[tuple[Arm, ...]]

    @abstractmethod
    def checks(self, runs: Runs) -> list[Check]:
        """Judge the loop's gain from its arms' runs (arm name -> one run per seed)."""

    @abstractmethod
    def plot(self, axes: Any, runs: Runs) -> None:
        """Draw the compared arms on one matplotlib ``Axes``."""

    def judge(
        self,
        statement: str,
        outcome: str,
        comparison: str,
        values: Any,
        *,
        reference: float = 0.0,
    ) -> Check:
        """A loop check (:func:`~simulation.runs.validation.base.judge`; pattern 0)."""
        return judge(
            0, statement, outcome, comparison, values, "+", reference=reference, emergent=True
        )

    def draw_arms(
        self, axes: Any, runs: Runs, column: str, labelled: Sequence[tuple[str, str]], months: int
    ) -> None:
        """Draw a sector column over years for some arms (mean, 95 % band) to ``months``.

        Args:
            axes: A matplotlib ``Axes``.
            runs: Arm name -> one run per seed.
            column: A sector column.
            labelled: (arm name, legend label) pairs, in legend order.
            months: The last month drawn.
        """
        for name, label in labelled:
            matrix = series_matrix(runs[name], column)[:, : months + 1]
            draw_band(axes, np.arange(matrix.shape[1]), matrix, label)
        self.finish(axes, column.replace("_", " "), self.title)

    @staticmethod
    def finish(axes: Any, ylabel: str, title: str) -> None:
        """Label a loop's axes (x in years) and add its legend."""
        axes.set_xlabel("years")
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.legend(frameon=False, fontsize="small")

    def __repr__(self) -> str:
        return f"<loop {self.key}: {self.title}>"


def pulse_size(run: ArmRun) -> int:
    """Peers the pulse added in a run: ``PULSE_PER_ORG`` x organisations with peers just before.

    Read from the organisation table at ``PULSE_MONTH - 1`` (the state the pulse found), so
    it can be read from the pulsed run or its control: they are identical until then.
    """
    rows = run.orgs[run.orgs["month"] == PULSE_MONTH - 1]
    return PULSE_PER_ORG * int((rows["peer_workers"] > 0).sum())


def retention(pulsed: ArmRun, control: ArmRun, month: int = LOOP_MONTHS) -> float:
    """Extra peers at ``month`` per peer the pulse added (NaN if it added none)."""
    added = pulse_size(control)
    extra = at(pulsed, "peer_workers", month) - at(control, "peer_workers", month)
    return extra / added if added else float("nan")


def disclosure_rise(run: ArmRun, month: int = DISCLOSURE_MONTHS) -> float:
    """Rise in the disclosed share of staff with lived experience, month 0 to ``month``."""
    return at(run, "disclosed_share", month) - at(run, "disclosed_share", 0)


class HiringLoop(LoopGain):
    """Peers -> visible work and team leaders' requests -> decision-makers' will -> posts."""

    key = "hiring"
    title = "Hiring loop"
    claim = (
        "Peer work seen by decision-makers and asked for by team leaders opens more posts: a "
        "pulse of funded peers is kept and grows, and less so with the loop cut."
    )
    method = (
        f"{PULSE_PER_ORG} funded peers added to every organisation with peers before month "
        f"{PULSE_MONTH}; retention = (peers at month {LOOP_MONTHS} with the pulse - without) / "
        "peers added, per seed, with the loop and with it cut (evidence_weight 0, "
        "request_weight 0: what peers show decision-makers no longer moves them, team "
        "leaders no longer ask). The gain is the difference in retention."
    )
    arms = (
        BASELINE,
        arm("pulse", "Pulse", actions=[_PULSE], months=LOOP_MONTHS),
        arm("hiring_cut", "Hiring loop cut", HIRING_CUT, months=LOOP_MONTHS),
        arm("hiring_cut_pulse", "Hiring loop cut, pulse", HIRING_CUT, [_PULSE], LOOP_MONTHS),
    )

    @override
    def checks(self, runs: Runs) -> list[Check]:
        kept = np.array(
            [retention(a, b) for a, b in zip(runs["pulse"], runs["baseline"], strict=True)]
        )
        cut = np.array(
            [
                retention(a, b)
                for a, b in zip(runs["hiring_cut_pulse"], runs["hiring_cut"], strict=True)
            ]
        )
        outcome = f"extra peers at month {LOOP_MONTHS} per peer added at month {PULSE_MONTH}"
        return [
            self.judge(
                "With the loop the pulse is kept (retention above 1)",
                outcome,
                "with the loop (target >= 1)",
                kept,
                reference=1.0,
            ),
            self.judge(
                "The hiring loop has gain: cutting it loses part of the pulse",
                outcome,
                "with the loop - cut",
                kept - cut,
            ),
        ]

    @override
    def plot(self, axes: Any, runs: Runs) -> None:
        """Extra peers from the pulse, with the loop and cut, by year."""
        for pulsed, control, label in (
            ("pulse", "baseline", "with the loop"),
            ("hiring_cut_pulse", "hiring_cut", "loop cut"),
        ):
            months = min(len(runs[pulsed][0].sector), len(runs[control][0].sector))
            matrix = (
                series_matrix(runs[pulsed], "peer_workers")[:, :months]
                - series_matrix(runs[control], "peer_workers")[:, :months]
            )
            draw_band(axes, np.arange(months), matrix, label)
        axes.axhline(0, color="grey", lw=0.8)
        title = f"Hiring loop: a pulse at month {PULSE_MONTH}"
        self.finish(axes, "extra peers (pulsed - not)", title)


class DisclosureLoop(LoopGain):
    """Disclosure -> safety and LE contact -> lower stigma -> more disclosure."""

    key = "disclosure"
    title = "Disclosure loop"
    claim = (
        "Each disclosure makes the next safer: without that feedback the disclosed share "
        f"rises at least {DISCLOSURE_SHARE_LOST:.0%} less over {DISCLOSURE_MONTHS // 12} years."
    )
    method = (
        f"The rise in the disclosed share from month 0 to {DISCLOSURE_MONTHS}, in the baseline "
        "and with the feedback cut (disclosed_weight 0, disclosure_safety 0): the share of "
        "the rise lost, 1 - mean(cut) / mean(baseline), with a delta-method interval."
    )
    arms = (
        BASELINE,
        DISCLOSURE_CUT_ARM,
    )

    @override
    def checks(self, runs: Runs) -> list[Check]:
        rise = np.array([disclosure_rise(run) for run in runs["baseline"]])
        rise_cut = np.array([disclosure_rise(run) for run in runs["disclosure_cut"]])
        return [
            self.judge(
                f"Cutting the disclosure feedback loses at least {DISCLOSURE_SHARE_LOST:.0%} "
                "of the rise",
                f"share of the month 0-{DISCLOSURE_MONTHS} rise in disclosed share lost",
                f"1 - cut / baseline (target >= {DISCLOSURE_SHARE_LOST:g})",
                1.0 - linearised_ratio(rise_cut, rise),
                reference=DISCLOSURE_SHARE_LOST,
            )
        ]

    @override
    def plot(self, axes: Any, runs: Runs) -> None:
        """Disclosed share with and without the feedback."""
        labelled = (("baseline", "with the feedback"), ("disclosure_cut", "cut"))
        self.draw_arms(axes, runs, "disclosed_share", labelled, DISCLOSURE_MONTHS)


class ChampionLoop(LoopGain):
    """Champions -> commitment, will and safety -> more peers -> more champions."""

    key = "champion"
    title = "Champion loop"
    claim = "Champions' push on commitment, resourcing and safety adds peers over 10 years."
    method = (
        f"Peers at month {LOOP_MONTHS} in the baseline against a sector whose champions have "
        "no effect (champion_weight 0, champion_push 0, champion_safety 0), per seed."
    )
    arms = (
        BASELINE,
        arm("champions_inert", "Champions without effect", CHAMPION_CUT, months=LOOP_MONTHS),
    )

    @override
    def checks(self, runs: Runs) -> list[Check]:
        with_champions = np.array(
            [at(run, "peer_workers", LOOP_MONTHS) for run in runs["baseline"]]
        )
        without = np.array(
            [at(run, "peer_workers", LOOP_MONTHS) for run in runs["champions_inert"]]
        )
        return [
            self.judge(
                "Champions' effects add peers",
                f"peer workers at month {LOOP_MONTHS}",
                "baseline - champions without effect",
                with_champions - without,
            ),
        ]

    @override
    def plot(self, axes: Any, runs: Runs) -> None:
        """Peer workers with and without champions' effects."""
        labelled = (("baseline", "champions act"), ("champions_inert", "no effect"))
        self.draw_arms(axes, runs, "peer_workers", labelled, LOOP_MONTHS)


#: The loop-gain experiments, in report order: the one registry of loops.
LOOPS: tuple[LoopGain, ...] = (HiringLoop(), DisclosureLoop(), ChampionLoop())
