"""What the patterns measure: outcomes of one run, paired differences, figure matrices.

Each outcome is a function of one :class:`~simulation.runs.validation.arms.ArmRun`;
:func:`paired` turns one into per-seed differences between two arms, and the matrices
(seeds x months) are what the patterns' figures draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulation.runs.validation.arms import LEARNING_FROZEN, ArmRun, Runs, arm, run_arm_batch


def at(run: ArmRun, column: str, month: int = -1) -> float:
    """A sector column at a month (default: the last)."""
    series = run.sector[column]
    return float(series.iloc[month] if month < 0 else series.loc[month])


def change(run: ArmRun, column: str, start: int = 0, end: int = -1) -> float:
    """Change of a sector column between two months (default: start to the last month)."""
    return at(run, column, end) - at(run, column, start)


def exit_rate(run: ArmRun) -> float:
    """Peer leavers per peer-year over the whole run."""
    leavers = run.sector["peer_leavers"].iloc[1:].sum()
    peer_months = run.sector["peer_workers"].iloc[:-1].sum()
    return float(12.0 * leavers / peer_months) if peer_months else 0.0


def initially_peerless(run: ArmRun) -> np.ndarray:
    """The organisations that employed no peers at month 0."""
    first = run.orgs[run.orgs["month"] == 0]
    return first["org"].to_numpy()[first["peer_workers"].to_numpy() == 0]


def adopters(run: ArmRun, month: int = -1) -> tuple[int, int]:
    """The organisations without peers at month 0, and how many have employed peers since.

    Args:
        run: One arm's run.
        month: The month to count at (default the last).

    Returns:
        ``(peerless at month 0, of them ever employing peers by the month)``.
    """
    peerless = initially_peerless(run)
    last = run.orgs["month"].max() if month < 0 else month
    rows = run.orgs[run.orgs["month"] == last].set_index("org")
    return int(peerless.size), int(rows.loc[peerless, "ever_employed"].sum())


def learning_control(
    seeds: Sequence[int],
    months: int = 120,
    more_arms: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, tuple[int, int]]:
    """The negative control of pattern 2 in the default sector, learning on and frozen.

    Args:
        seeds: The pairs' seeds (each runs every arm).
        months: Horizon.
        more_arms: Further arms on the same seeds, by name: the parameters they change.

    Returns:
        ``"learning"``, ``"frozen"`` (:data:`~.arms.LEARNING_FROZEN`) and each of
        ``more_arms`` -> ``(peerless at month 0, of them ever employing peers by the end)``,
        summed over the seeds.
    """
    counts = {}
    arms = {"learning": {}, "frozen": dict(LEARNING_FROZEN), **(more_arms or {})}
    for name, params in arms.items():
        runs = [adopters(run) for run in run_arm_batch(arm(name, name, params), seeds, months)]
        counts[name] = (sum(run[0] for run in runs), sum(run[1] for run in runs))
    return counts


def adopted_share(run: ArmRun, month: int = -1) -> float:
    """Share of the organisations without peers at month 0 that have employed peers since."""
    peerless, adopted = adopters(run, month)
    return adopted / peerless if peerless else 0.0


def adopted_count(run: ArmRun, month: int = -1) -> float:
    """Organisations without peers at month 0 that have employed peers since."""
    return float(adopters(run, month)[1])


def class_mean(run: ArmRun, column: str, exposure_class: int, month: int) -> float:
    """Mean of an organisation-table column over the organisations of an exposure class."""
    rows = run.orgs[(run.orgs["month"] == month) & (run.orgs["exposure_class"] == exposure_class)]
    return float(rows[column].mean())


def culture_drop(run: ArmRun) -> float:
    """Fall in clinicians' mean stigma from the first to the last month of a run."""
    stigma = run.probe["clinician_stigma"].to_numpy()
    return float(stigma[0] - stigma[-1])


def stigma_fall(run: ArmRun, month: int) -> float:
    """Fall in mean stigma from month 0 to ``month``."""
    return at(run, "mean_stigma", 0) - at(run, "mean_stigma", month)


def half_rise_month(difference: np.ndarray, start: int) -> float:
    """First month (interpolated) at which a response reaches half its peak after ``start``.

    Args:
        difference: A paired difference series (treated minus untreated) by month.
        start: Month of the manipulation.

    Returns:
        Months after ``start``; ``nan`` if the response never rises above zero.
    """
    response = np.asarray(difference, dtype=float)[start:]
    peak = response.max()
    if not peak > 0:
        return float("nan")
    above = int(np.argmax(response >= peak / 2))
    if above == 0:
        return 0.0
    before, after = response[above - 1], response[above]
    return above - 1 + (peak / 2 - before) / (after - before)


def curve_thirds(series: np.ndarray) -> tuple[float, float, float]:
    """Mean yearly increment of a monthly series in the first, middle and last third.

    Args:
        series: Monthly values from month 0 (length a multiple of 12, plus one).

    Returns:
        ``(early, middle, late)`` mean increments per year.
    """
    yearly = np.diff(np.asarray(series, dtype=float)[::12])
    thirds = np.array_split(yearly, 3)
    early, middle, late = (float(part.mean()) for part in thirds)
    return early, middle, late


def first_posts(orgs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Each organisation's peer workers by month, and the month of its first post.

    An organisation's first post is the first recorded month by which it has employed
    peers (its ``ever_employed`` flag: set when a peer worker or LE leader is hired, and
    at set-up where peer workers start), so a first peer who leaves in the month they
    were hired still counts. One definition for pattern 2's first hires
    (:func:`first_hire_months`) and check 3e's adopters (:func:`adopters_growth`).

    Args:
        orgs: An organisation x month table (``ArmRun.orgs``).

    Returns:
        ``(peers, first)``: peer workers as a months x organisations frame (index the
        recorded months, columns the organisations in order), and each organisation's
        first month (-1: never).
    """
    peers = orgs.pivot(index="month", columns="org", values="peer_workers")
    ever = orgs.pivot(index="month", columns="org", values="ever_employed").to_numpy(dtype=bool)
    months = peers.index.to_numpy()
    first = np.where(ever.any(axis=0), months[np.argmax(ever, axis=0)], -1)
    return peers, first


def monthly_first_posts(orgs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """:func:`first_posts` of a table recorded every month, the peers as a plain array.

    Args:
        orgs: An organisation x month table with every month from 0.

    Returns:
        ``(peers, first)``: peer workers as months x organisations (row ``m`` is month
        ``m``), and each organisation's first post (-1: never).

    Raises:
        ValueError: If a month is missing (rows would not be months).
    """
    peers, first = first_posts(orgs)
    if not np.array_equal(peers.index.to_numpy(), np.arange(len(peers))):
        raise ValueError("reading months after a first post needs the table of every month")
    return peers.to_numpy(), first


def peers_after(peers: np.ndarray, first: np.ndarray, years: int, horizon: int) -> np.ndarray:
    """Each adopter's peer workers ``years`` after its first post.

    Args:
        peers: Peer workers, months x organisations (:func:`monthly_first_posts`).
        first: Each organisation's first post (-1: never).
        years: Years after the first post to read.
        horizon: Only adopters whose first post leaves this many years of the run count.

    Returns:
        One value per such adopter, in organisation order.
    """
    chosen = np.flatnonzero((first >= 0) & (first + 12 * horizon < peers.shape[0]))
    return peers[first[chosen] + 12 * years, chosen]


def adopters_growth(run: ArmRun, early_years: int = 5, late_years: int = 10) -> float:
    """How an adopter's peer workforce grows once established, averaged over adopters.

    For each organisation that first employs peers at some month ``m`` (its first post,
    see :func:`first_posts`) with ``m + 12 * late_years`` inside the run: its peer workers
    ``late_years`` after ``m`` minus ``early_years`` after. This is growth within
    organisations after they have started, apart from when they start (pattern 3's loop,
    not pattern 2's delay).

    Args:
        run: One run (its organisation table, recorded every month).
        early_years: Years after the first post of the earlier reading.
        late_years: Years after the first post of the later reading.

    Returns:
        The mean over such adopters (NaN if there is none).
    """
    peers, first = monthly_first_posts(run.orgs)
    late = peers_after(peers, first, late_years, horizon=late_years)
    if late.size == 0:
        return float("nan")
    return float(np.mean(late - peers_after(peers, first, early_years, horizon=late_years)))


def paired(
    runs: Runs, treated: str, control: str, outcome: Callable[[ArmRun], float]
) -> np.ndarray:
    """Per-seed difference of an outcome between two arms (treated minus control).

    Args:
        runs: Arm name -> one run per seed, in seed order.
        treated: The manipulated arm.
        control: The arm it is compared with.
        outcome: The outcome of one run.

    Returns:
        One difference per seed pair.
    """
    return np.array(
        [outcome(a) - outcome(b) for a, b in zip(runs[treated], runs[control], strict=True)]
    )


def series_matrix(runs: Sequence[ArmRun], column: str) -> np.ndarray:
    """One sector column of every run, as seeds x months."""
    return np.vstack([run.sector[column].to_numpy(dtype=float) for run in runs])


def adoption_matrix(runs: Sequence[ArmRun]) -> np.ndarray:
    """Share of the initially peerless organisations that have employed peers, by month."""
    rows = []
    for run in runs:
        table = run.orgs
        chosen = table[table["org"].isin(initially_peerless(run))]
        rows.append(chosen.groupby("month")["ever_employed"].mean().to_numpy(dtype=float))
    return np.vstack(rows)


def linearised_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> np.ndarray:
    """Per-seed values whose mean is ``mean(a) / mean(b)`` and whose interval is the delta's.

    With ``R = mean(a) / mean(b)``, seed ``i`` gives ``R + (a_i - R b_i) / mean(b)``: their
    mean is ``R`` and their variance the first-order (delta-method) variance of ``R``, so
    :func:`simulation.runs.statistics.mean_interval` of them is the delta-method interval
    of the ratio of means, in the one convention of every interval.

    Args:
        numerators: One value per seed.
        denominators: One value per seed, paired with ``numerators``.

    Returns:
        One value per seed (all NaN if the mean denominator is 0).
    """
    a = np.asarray(numerators, dtype=float)
    b = np.asarray(denominators, dtype=float)
    scale = b.mean()
    if scale == 0:
        return np.full(a.shape, np.nan)
    ratio = a.mean() / scale
    return ratio + (a - ratio * b) / scale


def first_hire_months(run: ArmRun) -> np.ndarray:
    """Month of the first peer employed, for each organisation without peers at month 0.

    Returns:
        One month per initially peerless organisation; ``inf`` for those that never
        employed peers within the run.
    """
    _, first = first_posts(run.orgs)
    months = first[initially_peerless(run)].astype(float)
    months[months < 0] = np.inf
    return months


def median_years_to_first_hire(run: ArmRun) -> float:
    """Median years to a first peer among the initially peerless organisations.

    Organisations that never hire count as hiring after the run, so when more than half
    never hire the median is censored at the run's length (a lower bound).

    Returns:
        Years; NaN if no organisation started without peers.
    """
    months = first_hire_months(run)
    if months.size == 0:
        return float("nan")
    horizon = float(run.orgs["month"].max())
    return float(min(np.median(months), horizon)) / 12.0


def any_first_hire(run: ArmRun, month: int) -> float:
    """1 if an organisation without peers at month 0 employed peers by ``month``, else 0."""
    months = first_hire_months(run)
    return float(bool(months.size) and months.min() <= month)


def class_total(run: ArmRun, column: str, exposure_class: int, month: int) -> float:
    """Sum of an organisation-table column over the organisations of an exposure class."""
    rows = run.orgs[(run.orgs["month"] == month) & (run.orgs["exposure_class"] == exposure_class)]
    return float(rows[column].sum())


def relative_change(treated: Sequence[float], control: Sequence[float]) -> np.ndarray:
    """``mean(treated) / mean(control) - 1`` as per-seed linearised values (delta interval)."""
    return linearised_ratio(treated, control) - 1.0
