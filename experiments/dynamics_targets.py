"""Measure where the model stands against the dynamics targets of issue 11.

Issue 11 sets five targets for the long-run dynamics, judged on paired seeds at the
current defaults (or with ``--set``), and asks for a sixth set of figures for the record.
Every seed runs three variants of the same sector (common random numbers: they are
identical until the variant's one change):

- ``default``: the defaults for 240 months. It is also the reference arm of the pulse and
  of the disclosure experiment, because a manipulation changes nothing before its month.
- ``pulse``: the defaults, plus the validation's pulse (``AddPeers(48, per_org=2)`` of
  :mod:`simulation.runs.validation`: 2 funded peer workers in every organisation that
  employs peers) before the step that produces month 48; 120 months.
- ``no_disclosure_feedback``: ``disclosed_weight = 0`` and ``disclosure_safety = 0``
  (a colleague who has disclosed neither makes the circle feel safer nor, as below,
  lived experience no longer counts as an LE contact, :func:`simulation.core.circles.
  le_contact_weight`; peers still count 1); 96 months.

The measures, each a per-seed value summarised by its mean and 95 % confidence interval
(:func:`simulation.runs.statistics.mean_interval`):

1. ``min_org_share``: the smallest share of organisations employing peers over months
   0, 12, ..., 60 (target >= 0.40).
2. ``peerless_hire``: 1 if at least one organisation with no peers at month 0 has hired
   one by month 120 (its ``ever_employed`` flag), else 0; its mean is the share of seeds
   (target >= 0.80). Seeds without a peerless organisation are left out.
3. ``growth_48_120`` and ``growth_0_36``: annualised growth of the peer workforce (peer
   workers and LE leaders, the sector column ``peer_workers``), ``(P_end / P_start) ^ (12 /
   (end - start)) - 1`` per seed, as the calibration's ``peer_growth``
   (targets >= 0.08 and 0.10-0.25).
4. ``pulse_retention``: (peers at month 120 with the pulse - without) / peers added
   (target >= 1.0); ``pulse_commitment``: mean commitment of the executives and senior
   managers of the pulsed organisations at month 72, with minus without (target >= 0.02;
   the mean over all organisations, diluted by those the pulse did not reach, is recorded).
5. ``disclosure_feedback``: the share of the 8-year rise in disclosed share (month 96
   minus month 0) that goes when the feedback is cut, ``1 - rise_cut / rise_default``,
   as a ratio of means over seeds with a delta-method interval (:func:`ratio_interval`)
   (target >= 0.30: cutting a loop with gain loses at least 30 % of the rise).
6. For the record: peers and organisations with peers at months 0, 36, 120 and 240, growth
   per period, and executives' mean exposure at months 0 and 240.

A verdict is ``met`` when the whole interval satisfies the target, ``not met`` when the
whole interval misses it, and ``inconclusive`` otherwise (or without an interval).

The script writes nothing unless ``--out`` is given; then ``targets.csv`` (the table),
``series.csv`` (yearly means with intervals), ``per_seed.csv`` and ``manifest.json``,
atomically. Examples::

    python experiments/dynamics_targets.py --quick
    python experiments/dynamics_targets.py --seeds 30 --workers 2 --out results/dynamics
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from simulation.cli.assignments import check_parameters, parse_assignments
from simulation.core.errors import LewsimError
from simulation.core.model import SectorModel
from simulation.outputs.files import check_destination, write_directory
from simulation.outputs.manifest import build_manifest, manifest_json
from simulation.runs.pool import available_cores, check_workers, map_runs
from simulation.runs.replications import replication_seeds
from simulation.runs.statistics import annual_growth, mean_interval
from simulation.runs.validation import AddPeers, orgs_with_peers

#: Seeds of a full measurement and of ``--quick``; issue 11 judges its targets on 30.
FULL_SEEDS, QUICK_SEEDS = 30, 8
#: Root seed: seed ``r`` is the sector of replication ``r`` of the shipped scenario files.
ROOT_SEED = 2019

MET, NOT_MET, INCONCLUSIVE, RECORD = "met", "not met", "inconclusive", "record"


@dataclass(frozen=True)
class Design:
    """The months and sizes of the measurement (the defaults are issue 11's).

    Attributes:
        horizon: Months of the default run (the long run).
        share_every: Step between the months at which the share of organisations with
            peers is read.
        share_until: Last of those months.
        peerless_by: Month by which an initially peerless organisation must have hired.
        early: Start and end month of the early growth period (years 0-3).
        late: Start and end month of the later growth period (years 4-10).
        pulse_month: Month before whose step the pulse is added.
        pulse_per_org: Funded peers added to each organisation that employs peers.
        pulse_end: Month at which the pulse's retention is read.
        commitment_month: Month at which the decision-makers' commitment is compared.
        disclosure_months: Horizon of the disclosure experiment (the rise is 0 to this).
        record_months: Months of the record of peers and organisations with peers.
    """

    horizon: int = 240
    share_every: int = 12
    share_until: int = 60
    peerless_by: int = 120
    early: tuple[int, int] = (0, 36)
    late: tuple[int, int] = (48, 120)
    pulse_month: int = 48
    pulse_per_org: int = 2
    pulse_end: int = 120
    commitment_month: int = 72
    disclosure_months: int = 96
    record_months: tuple[int, ...] = (0, 36, 120, 240)

    def __post_init__(self) -> None:
        """Check that every month read lies within the run that produces it."""
        problems = []
        if self.share_every < 1:
            problems.append(f"share_every = {self.share_every} must be at least 1")
        if not 1 <= self.pulse_month < self.commitment_month <= self.pulse_end:
            problems.append(
                f"need 1 <= pulse_month ({self.pulse_month}) < commitment_month "
                f"({self.commitment_month}) <= pulse_end ({self.pulse_end})"
            )
        if self.pulse_per_org < 0:
            problems.append(f"pulse_per_org = {self.pulse_per_org} must be >= 0")
        for name in ("early", "late"):
            start, end = getattr(self, name)
            if not 0 <= start < end:
                problems.append(f"{name} = {(start, end)} must have 0 <= start < end")
        latest = max(
            self.share_until,
            self.peerless_by,
            self.early[1],
            self.late[1],
            self.pulse_end,
            self.disclosure_months,
            *self.record_months,
        )
        if latest > self.horizon:
            problems.append(f"month {latest} is read but the horizon is {self.horizon}")
        if problems:
            raise ValueError("Design: " + "; ".join(problems))

    @property
    def share_months(self) -> list[int]:
        """Months at which the share of organisations with peers is judged."""
        return list(range(0, self.share_until + 1, self.share_every))

    @property
    def yearly_months(self) -> list[int]:
        """Every ``share_every`` months over the whole horizon (for the record)."""
        return list(range(0, self.horizon + 1, self.share_every))


# ---- the variants and their runs -------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One arm of the paired runs.

    Attributes:
        name: ``default``, ``pulse`` or ``no_disclosure_feedback``.
        months: Its horizon.
        params: Parameters that differ from the measurement's parameters.
        pulse_per_org: Peers its pulse adds per organisation with peers (0: no pulse).
    """

    name: str
    months: int
    params: tuple[tuple[str, Any], ...] = ()
    pulse_per_org: int = 0


def variants(design: Design) -> tuple[Variant, ...]:
    """The three variants every seed runs."""
    return (
        Variant("default", design.horizon),
        Variant("pulse", design.pulse_end, pulse_per_org=design.pulse_per_org),
        Variant(
            "no_disclosure_feedback",
            design.disclosure_months,
            (("disclosed_weight", 0.0), ("disclosure_safety", 0.0)),
        ),
    )


def decision_commitment(model: SectorModel, orgs: np.ndarray | None = None) -> float:
    """Mean commitment of executives and senior managers (optionally of some organisations).

    Args:
        model: The sector model.
        orgs: A flag per organisation; only their decision-makers count (None: all).

    Returns:
        The mean, or NaN if no one counts.
    """
    deciders = model.decision_maker_slots
    if orgs is not None:
        deciders = deciders[orgs[model.staff.org[deciders]]]
    return float(model.staff.commitment[deciders].mean()) if deciders.size else math.nan


def run_variant(job: tuple[Variant, int, Design, Mapping[str, Any]]) -> dict[str, Any]:
    """Run one variant on one seed and keep what the measures read (pure; for map_runs).

    Args:
        job: ``(variant, seed, design, params)``; the variant's parameters override
            ``params``.

    Returns:
        Plain arrays: the sector columns ``peer_workers``, ``orgs_with_peers``,
        ``disclosed_share`` and ``peer_hires`` by month; ``exec_exposure`` and
        ``decision_commitment`` by month; ``peerless_0`` (per organisation); the
        ``ever_employed`` flags at ``peerless_by`` and at the horizon; the pulse's
        ``pulse_orgs`` (organisations with peers just before it), ``added`` and the
        decision-makers' commitment in ``pulse_orgs`` at ``commitment_month``.
    """
    variant, seed, design, params = job
    model = SectorModel(rng=seed, **(dict(params) | dict(variant.params)))
    pulse = AddPeers(design.pulse_month, per_org=variant.pulse_per_org)
    pulse_orgs = np.zeros(model.n_orgs, dtype=bool)
    added = 0
    exec_exposure = [float(model.staff.exposure[model.executive_slots].mean())]
    commitment = [decision_commitment(model)]
    commitment_in_pulse_orgs = math.nan
    for month in range(1, variant.months + 1):
        if month == pulse.month:
            # Every variant notes the organisations the pulse reaches, so the reference
            # arm can be read on the same organisations.
            pulse_orgs = orgs_with_peers(model)
            added = pulse.apply(model)
        model.step()
        exec_exposure.append(float(model.staff.exposure[model.executive_slots].mean()))
        commitment.append(decision_commitment(model))
        if month == design.commitment_month:
            commitment_in_pulse_orgs = decision_commitment(model, pulse_orgs)
    frame = model.sector_frame()
    table = model.org_table()
    ever = table.pivot(index="month", columns="org", values="ever_employed")
    return {
        "variant": variant.name,
        "seed": seed,
        "n_orgs": model.n_orgs,
        **{
            column: frame[column].to_numpy(dtype=float)
            for column in ("peer_workers", "orgs_with_peers", "disclosed_share", "peer_hires")
        },
        "exec_exposure": np.array(exec_exposure),
        "decision_commitment": np.array(commitment),
        "peerless_0": table.loc[table["month"] == 0, "peer_workers"].to_numpy() == 0,
        "ever_employed": {
            month: ever.loc[month].to_numpy(dtype=bool)
            for month in (design.peerless_by, variant.months)
            if month <= variant.months
        },
        "pulse_orgs": pulse_orgs,
        "added": added,
        "commitment_in_pulse_orgs": commitment_in_pulse_orgs,
    }


def run_all(
    seeds: Sequence[int],
    design: Design,
    params: Mapping[str, Any] | None = None,
    workers: int = 1,
    progress: bool = False,
) -> list[dict[str, dict[str, Any]]]:
    """Run every variant on every seed.

    Args:
        seeds: The pairs' seeds.
        design: Months and sizes.
        params: Parameters for every variant (defaults otherwise).
        workers: Processes (:func:`simulation.runs.pool.map_runs`).
        progress: Show a progress bar.

    Returns:
        One ``{variant name: record}`` per seed, in seed order.
    """
    arms = variants(design)
    jobs = [(variant, int(seed), design, dict(params or {})) for seed in seeds for variant in arms]
    records = map_runs(run_variant, jobs, workers=workers, progress=progress, desc="dynamics runs")
    return [
        {record["variant"]: record for record in records[i : i + len(arms)]}
        for i in range(0, len(records), len(arms))
    ]


# ---- the measures (pure functions of the records) ----------------------------------------------


def org_share(record: Mapping[str, Any], months: Sequence[int]) -> np.ndarray:
    """Share of organisations employing peers at each of ``months``."""
    return record["orgs_with_peers"][list(months)] / record["n_orgs"]


def peerless_hire(record: Mapping[str, Any], by_month: int) -> dict[str, float]:
    """Whether organisations without peers at month 0 had hired one by ``by_month``.

    Args:
        record: A run's record (its horizon at least ``by_month``).
        by_month: The month of the ``ever_employed`` flags read.

    Returns:
        ``peerless`` (how many started without peers), ``hired`` (how many of them have
        employed a peer by then) and ``any`` (1.0 if at least one has, 0.0 if none has,
        NaN if no organisation started without peers).
    """
    peerless = record["peerless_0"]
    hired = int((record["ever_employed"][by_month] & peerless).sum())
    count = int(peerless.sum())
    return {"peerless": count, "hired": hired, "any": float(hired > 0) if count else math.nan}


def pulse_effects(
    pulsed: Mapping[str, Any], reference: Mapping[str, Any], design: Design
) -> dict[str, float]:
    """What a pulse of funded peers did, against the same seed without it.

    Args:
        pulsed: Record of the ``pulse`` variant.
        reference: Record of the ``default`` variant on the same seed.
        design: Months of the pulse.

    Returns:
        ``added``; ``extra_peers`` at ``pulse_end``; ``retention`` (extra peers / added,
        NaN if none was added); ``commitment_rise`` (mean commitment of all executives
        and senior managers at ``commitment_month``, with minus without);
        ``commitment_rise_pulsed`` (the same in the organisations that got the pulse);
        ``extra_hires_per_peer`` (the model's own hires after the pulse month up to
        ``pulse_end``, with minus without, per peer added; NaN if none was added).
    """
    end, month = design.pulse_end, design.commitment_month
    added = pulsed["added"]
    extra_peers = float(pulsed["peer_workers"][end] - reference["peer_workers"][end])
    after = slice(design.pulse_month + 1, end + 1)  # the pulse's own hires count at its month
    extra_hires = float(pulsed["peer_hires"][after].sum() - reference["peer_hires"][after].sum())
    return {
        "added": float(added),
        "extra_peers": extra_peers,
        "retention": extra_peers / added if added else math.nan,
        "commitment_rise": float(
            pulsed["decision_commitment"][month] - reference["decision_commitment"][month]
        ),
        "commitment_rise_pulsed": pulsed["commitment_in_pulse_orgs"]
        - reference["commitment_in_pulse_orgs"],
        "extra_hires_per_peer": extra_hires / added if added else math.nan,
    }


def disclosure_rise(record: Mapping[str, Any], months: int) -> float:
    """Rise of the disclosed share from month 0 to ``months``.

    The disclosed share is the share of non-peer staff with lived experience who have
    disclosed it (the sector column ``disclosed_share``).
    """
    shares = record["disclosed_share"]
    return float(shares[months] - shares[0])


def ratio_interval(
    numerators: Sequence[float], denominators: Sequence[float]
) -> tuple[float, float, float]:
    """Ratio of two means over paired seeds, with a delta-method 95 % interval.

    ``R = mean(a) / mean(b)``. Each seed's linearised value ``R + (a_i - R b_i) / mean(b)``
    has mean ``R`` and the first-order variance of ``R``, so :func:`mean_interval` of
    these values is the delta-method interval, in the one convention of every interval.
    Pairs with a NaN are left out.

    Args:
        numerators: One value per seed.
        denominators: One value per seed, paired with ``numerators``.

    Returns:
        ``(ratio, low, high)``; all NaN if the mean denominator is 0 or nothing is left.
    """
    a, b = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if a.size == 0 or b.mean() == 0:
        return math.nan, math.nan, math.nan
    ratio = a.mean() / b.mean()
    return mean_interval(ratio + (a - ratio * b) / b.mean())


def verdict(
    low: float, high: float, minimum: float | None = None, maximum: float | None = None
) -> str:
    """Whether an interval meets a target ``minimum <= value <= maximum``.

    Args:
        low: Lower end of the 95 % interval (NaN if there is none).
        high: Upper end.
        minimum: Least value allowed (None: no lower bound).
        maximum: Greatest value allowed (None: no upper bound).

    Returns:
        ``met`` if the whole interval lies within the bounds, ``not met`` if it lies
        wholly outside them, ``inconclusive`` otherwise or without an interval.
    """
    if math.isnan(low) or math.isnan(high):
        return INCONCLUSIVE
    above = minimum is None or low >= minimum
    below = maximum is None or high <= maximum
    if above and below:
        return MET
    if (minimum is not None and high < minimum) or (maximum is not None and low > maximum):
        return NOT_MET
    return INCONCLUSIVE


def threshold_text(minimum: float | None, maximum: float | None) -> str:
    """A target's bounds in words: ``>= 0.4``, ``<= 0.05``, ``0.1 to 0.25`` or ``""``."""
    if minimum is None and maximum is None:
        return ""
    if maximum is None:
        return f">= {minimum:g}"
    if minimum is None:
        return f"<= {maximum:g}"
    return f"{minimum:g} to {maximum:g}"


def per_seed_measures(records: Mapping[str, Mapping[str, Any]], design: Design) -> dict[str, float]:
    """Every per-seed figure of one seed's variants.

    Args:
        records: ``{variant name: record}`` of one seed.
        design: Months and sizes.

    Returns:
        Figure name -> value (NaN where undefined).
    """
    default, pulsed = records["default"], records["pulse"]
    cut = records["no_disclosure_feedback"]
    peers = default["peer_workers"]
    by_10 = peerless_hire(default, design.peerless_by)
    by_end = peerless_hire(default, design.horizon)
    figures: dict[str, float] = {
        "seed": float(default["seed"]),
        "min_org_share": float(org_share(default, design.share_months).min()),
        "peerless_orgs": by_10["peerless"],
        "peerless_hired_by_peerless_by": by_10["hired"],
        "peerless_hired_by_horizon": by_end["hired"],
        "peerless_hire": by_10["any"],
        "growth_early": annual_growth(peers, *design.early),
        "growth_late": annual_growth(peers, *design.late),
    }
    figures |= {
        f"pulse_{name}": value for name, value in pulse_effects(pulsed, default, design).items()
    }
    figures["disclosure_rise_default"] = disclosure_rise(default, design.disclosure_months)
    figures["disclosure_rise_cut"] = disclosure_rise(cut, design.disclosure_months)
    record_months = sorted(set(design.record_months))
    for month in record_months:
        figures[f"peers_{month}"] = float(peers[month])
        figures[f"orgs_with_peers_{month}"] = float(default["orgs_with_peers"][month])
    for start, end in zip(record_months, record_months[1:], strict=False):
        figures[f"growth_{start}_{end}"] = annual_growth(peers, start, end)
    figures["exec_exposure_0"] = float(default["exec_exposure"][0])
    figures[f"exec_exposure_{design.horizon}"] = float(default["exec_exposure"][design.horizon])
    return figures


def targets_table(seed_figures: pd.DataFrame, design: Design) -> pd.DataFrame:
    """The targets of issue 11 and the figures for the record, with verdicts.

    Args:
        seed_figures: One row of :func:`per_seed_measures` per seed.
        design: Months and sizes (for the labels).

    Returns:
        Columns ``target``, ``measure``, ``threshold``, ``seeds``, ``mean``, ``low``,
        ``high``, ``verdict`` (``record`` for figures without a target).
    """
    d = design
    rows: list[dict[str, Any]] = []

    def add(
        target: str,
        measure: str,
        values: Any,
        minimum: float | None = None,
        maximum: float | None = None,
        interval: tuple[float, float, float] | None = None,
    ) -> None:
        values = np.asarray(values, dtype=float)
        mean, low, high = interval if interval is not None else mean_interval(values)
        judged = minimum is not None or maximum is not None
        rows.append(
            {
                "target": target,
                "measure": measure,
                "threshold": threshold_text(minimum, maximum),
                "seeds": int((~np.isnan(values)).sum()),
                "mean": mean,
                "low": low,
                "high": high,
                "verdict": verdict(low, high, minimum, maximum) if judged else RECORD,
            }
        )

    f = seed_figures
    months = f"{d.share_months[0]}-{d.share_months[-1]}"
    add("1", f"min share of orgs with peers, months {months}", f["min_org_share"], 0.40)
    add(
        "2",
        f"share of seeds: a peerless org hires by month {d.peerless_by}",
        f["peerless_hire"],
        0.80,
    )
    add("3", f"growth months {d.late[0]}-{d.late[1]} (/yr)", f["growth_late"], 0.08)
    add("3", f"growth months {d.early[0]}-{d.early[1]} (/yr)", f["growth_early"], 0.10, 0.25)
    add("4", f"pulse retention at month {d.pulse_end}", f["pulse_retention"], 1.0)
    add(
        "4",
        f"exec+senior commitment rise at month {d.commitment_month}, pulsed orgs",
        f["pulse_commitment_rise_pulsed"],
        0.02,
    )
    add(
        "5",
        f"share of the 0-{d.disclosure_months} disclosure rise lost without feedback",
        f["disclosure_rise_cut"],
        0.30,
        interval=_share_lost(f["disclosure_rise_cut"], f["disclosure_rise_default"]),
    )
    add("2 rec", "orgs without peers at month 0", f["peerless_orgs"])
    add("2 rec", f"of them hired by month {d.peerless_by}", f["peerless_hired_by_peerless_by"])
    add("2 rec", f"of them hired by month {d.horizon}", f["peerless_hired_by_horizon"])
    add("4 rec", "peers added by the pulse", f["pulse_added"])
    add("4 rec", f"extra peers at month {d.pulse_end}", f["pulse_extra_peers"])
    add(
        "4 rec",
        f"exec+senior commitment rise at month {d.commitment_month}, all orgs",
        f["pulse_commitment_rise"],
    )
    add(
        "4 rec",
        "extra hires after the pulse per added peer (refills incl.)",
        f["pulse_extra_hires_per_peer"],
    )
    add("5 rec", f"disclosed share rise 0-{d.disclosure_months}", f["disclosure_rise_default"])
    add("5 rec", "the same without feedback", f["disclosure_rise_cut"])
    record_months = sorted(set(d.record_months))
    for month in record_months:
        add("6", f"peers at month {month}", f[f"peers_{month}"])
    for month in record_months:
        add("6", f"orgs with peers at month {month}", f[f"orgs_with_peers_{month}"])
    for start, end in zip(record_months, record_months[1:], strict=False):
        add("6", f"growth months {start}-{end} (/yr)", f[f"growth_{start}_{end}"])
    add("6", "executives' mean exposure at month 0", f["exec_exposure_0"])
    add(
        "6",
        f"executives' mean exposure at month {d.horizon}",
        f[f"exec_exposure_{d.horizon}"],
    )
    return pd.DataFrame(rows)


def _share_lost(cut: pd.Series, default: pd.Series) -> tuple[float, float, float]:
    """``1 - mean(cut) / mean(default)`` with its delta-method interval."""
    ratio, low, high = ratio_interval(cut, default)
    return 1.0 - ratio, 1.0 - high, 1.0 - low


def series_table(
    records: Sequence[Mapping[str, Mapping[str, Any]]], design: Design
) -> pd.DataFrame:
    """Yearly means over seeds (with 95 % intervals) of the default run, for the record.

    Args:
        records: One ``{variant name: record}`` per seed.
        design: Months and sizes.

    Returns:
        One row per month of :attr:`Design.yearly_months`: ``month`` and, for each of
        ``org_share``, ``peer_workers``, ``exec_exposure``, ``decision_commitment`` and
        ``disclosed_share``, its ``_mean``, ``_low`` and ``_high``.
    """
    months = design.yearly_months
    defaults = [seed["default"] for seed in records]
    table: dict[str, Any] = {"month": months}
    matrices = {
        "org_share": [org_share(run, months) for run in defaults],
        **{
            name: [run[name][months] for run in defaults]
            for name in ("peer_workers", "exec_exposure", "decision_commitment", "disclosed_share")
        },
    }
    for name, rows in matrices.items():
        mean, low, high = mean_interval(np.vstack(rows))
        table |= {f"{name}_mean": mean, f"{name}_low": low, f"{name}_high": high}
    return pd.DataFrame(table)


def measure(
    seeds: Sequence[int],
    design: Design | None = None,
    params: Mapping[str, Any] | None = None,
    workers: int = 1,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run everything and return the targets table, the per-seed figures and the series.

    Args:
        seeds: The pairs' seeds.
        design: Months and sizes (issue 11's by default).
        params: Parameters for every variant.
        workers: Processes.
        progress: Show a progress bar.

    Returns:
        ``(targets, per_seed, series)``.
    """
    design = design or Design()
    records = run_all(seeds, design, params, workers, progress)
    per_seed = pd.DataFrame([per_seed_measures(seed, design) for seed in records])
    return targets_table(per_seed, design), per_seed, series_table(records, design)


# ---- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line (``--seeds``, ``--quick``, ``--workers``, ``--out``, ...)."""
    parser = argparse.ArgumentParser(
        description="Measure the model against the dynamics targets of issue 11 "
        "(paired seeds at the defaults); writes nothing unless --out is given.",
    )
    count = parser.add_mutually_exclusive_group()
    count.add_argument("--seeds", type=int, default=FULL_SEEDS, help="paired seeds (default 30)")
    count.add_argument("--quick", action="store_true", help=f"{QUICK_SEEDS} seeds")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, available_cores()),
        help="worker processes (default 2, or 1 on one core)",
    )
    parser.add_argument("--seed", type=int, default=ROOT_SEED, help=f"root seed ({ROOT_SEED})")
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter for every variant (repeatable)",
    )
    parser.add_argument("--out", help="write targets.csv, series.csv, per_seed.csv here")
    parser.add_argument("--replace", action="store_true", help="replace an earlier result")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds = QUICK_SEEDS
    if args.seeds < 2:
        parser.error(f"--seeds must be at least 2 (for a confidence interval), got {args.seeds}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    return args


def format_table(table: pd.DataFrame) -> str:
    """The targets table as aligned text."""
    shown = table.copy()
    for column in ("mean", "low", "high"):
        shown[column] = shown[column].map(lambda v: "nan" if math.isnan(v) else f"{v:.3f}")
    return shown.to_string(index=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the targets table; write the files if ``--out`` is given."""
    args = parse_args(argv)
    try:
        params = parse_assignments(args.assignments)
        check_parameters(params)
        workers = check_workers(args.workers, name="--workers")
        if args.out:
            check_destination(args.out, replace=args.replace)
        seeds = replication_seeds(args.seed, args.seeds)
        started_at, clock = datetime.now(UTC), time.perf_counter()
        design = Design()
        targets, per_seed, series = measure(
            seeds, design, params, workers, progress=not args.no_progress
        )
        wall_time = time.perf_counter() - clock
        print(f"issue 11 dynamics targets: {len(seeds)} paired seeds from root {args.seed}")
        if params:
            print("parameters: " + ", ".join(f"{k}={v}" for k, v in params.items()))
        print(format_table(targets))
        shares = series.set_index("month")["org_share_mean"]
        print(
            "\nshare of orgs with peers by year: "
            + " ".join(f"{value:.2f}" for value in shares.to_numpy())
        )
        print(f"({wall_time:.0f} s)")
        if args.out:
            manifest = build_manifest(
                steps=design.horizon,
                seed=args.seed,
                replications=len(seeds),
                seeds=seeds,
                params=params,
                started_at=started_at,
                wall_time_seconds=wall_time,
                command_line=sys.argv if argv is None else ["dynamics_targets.py", *argv],
            )
            write_directory(
                args.out,
                {
                    "targets.csv": targets.to_csv(index=False),
                    "per_seed.csv": per_seed.to_csv(index=False),
                    "series.csv": series.to_csv(index=False),
                    "manifest.json": manifest_json(manifest),
                },
                replace=args.replace,
            )
            print(f"written to {args.out}/ (targets.csv, per_seed.csv, series.csv)")
    except LewsimError as problem:
        print(f"dynamics_targets.py: error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
