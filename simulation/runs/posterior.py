"""Hindcast calibration with uncertainty: ABC-SMC on national figures of 2011-12 to 2019-20.

The sector is run from financial year 2011-12 (month 0 = July 2011) to 2019-20 (108
months; model year ``k`` covers months ``12k + 1`` to ``12k + 12``), with the funding
policy pressure of the built-in national history (:func:`simulation.core.environment.
series_from` 2011) and a funding envelope whose yearly growth is estimated
(``envelope_growth``: it is not read off the series the run is scored on). Five national
figures (:data:`NATIONAL_FIGURES`, AIHW *Mental health services in Australia*) are read
off each run by :func:`hindcast_figures`: three are **fitted** (the growth of the peer
share of staff from 2011-12 to 2015-16 and the share of organisations employing peers in
2015-16 and 2016-17), one is **held out** (the growth of the peer workforce from 2015-16
to 2019-20, used nowhere in building or tuning the model) and one is **checked** (that
share in 2017-18: the search does not fit it, but it sets the default run's month 0).
Predictions are scored by the interval score and the CRPS against naive forecasts
(persistence and linear trend of the earlier figures).

:func:`abc_search` (run by ``experiments/calibrate_abc.py``) estimates the dynamic
parameters of :data:`PRIORS` by ABC-SMC (pyabc, imported only there): one run per
proposed particle, on a seed recorded by its number; the posterior is a table of
weighted draws (:class:`Posterior`, packaged as ``simulation/runs/data/posterior.csv``).
:func:`predictive_check` runs weighted draws of a posterior on several seeds each and
gives every figure's 90 % prediction interval (parameter uncertainty plus seed noise)
and whether the national figure lies in it. :meth:`Posterior.draw` gives one
replication's parameters, so that ``lewsim run --posterior`` and ``lewsim compare
--posterior`` carry parameter uncertainty (docs/ODD.md section 10.2).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation import simulate
from simulation.core.environment import ENVELOPE_GROWTH, funding_path, series_from
from simulation.core.errors import InputError
from simulation.core.parameters import (
    ParameterError,
    Parameters,
    allowed_values,
    validate_parameters,
)
from simulation.runs.batch import map_batched, simulate_batch
from simulation.runs.replications import replication_seed
from simulation.runs.scenarios import SettingsFileError, read_small_file

#: The financial year month 0 of the hindcast stands for (2011-12).
HINDCAST_START_YEAR = 2011
#: Months of the hindcast: 2011-12 to 2019-20, nine model years.
HINDCAST_MONTHS = 108

#: The packaged posterior, the default of ``--posterior``.
DEFAULT_POSTERIOR = Path(__file__).parent / "data" / "posterior.csv"
#: Its provenance (command, seeds, acceptance, distances, date).
DEFAULT_PROVENANCE = DEFAULT_POSTERIOR.with_suffix(".json")

#: Largest posterior file read (bytes): some 50,000 draws of the packaged file's columns.
MAX_POSTERIOR_BYTES = 10_000_000
POSTERIOR_SIZE_REASON = "about 50,000 weighted draws"

#: Columns of a posterior file besides its parameters.
WEIGHT, DISTANCE, SEED = "weight", "distance", "seed"

#: Spawn key that separates the posterior draw of replication ``r`` from its model seed:
#: the draw uses ``SeedSequence(seed, spawn_key=(r, POSTERIOR_STREAM))``, a grandchild of
#: the replication's own sequence ``SeedSequence(seed, spawn_key=(r,))``.
POSTERIOR_STREAM = 7

#: Prediction interval of :func:`predictive_check`: the 5th and 95th percentiles.
PREDICTION_LEVEL = 0.90


@dataclass(frozen=True)
class NationalFigure:
    """One national figure of the hindcast.

    Attributes:
        name: Key in :func:`hindcast_figures`.
        description: What the model value is.
        value: The national figure.
        source: Where it comes from.
        role: ``"fitted"`` (the search fits it), ``"held out"`` (used nowhere in building or
            tuning the model, and predicted) or ``"checked"`` (not fitted by the search but
            used elsewhere in building the model, so its prediction is no test).
        scale: Its unit in :func:`distance`: a misfit of one scale adds 1 to the sum of squares.
        baselines: Naive forecasts from the earlier published figures, named (persistence,
            linear trend): what the model's prediction must beat to be worth having.
    """

    name: str
    description: str
    value: float
    source: str
    role: str
    scale: float
    baselines: Mapping[str, float] = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        """Whether the search fits this figure."""
        return self.role == "fitted"


NATIONAL_FIGURES: tuple[NationalFigure, ...] = (
    NationalFigure(
        "peer_share_ratio",
        "mean peer share of staff in 2015-16 (months 49-60) / in 2011-12 (months 1-12)",
        44.3 / 29.4,
        "AIHW Mental health services in Australia: consumer-worker FTE per 10,000 "
        "care-provider FTE, 29.4 in 2011-12 and 44.3 in 2015-16",
        "fitted",
        0.15,
    ),
    NationalFigure(
        "orgs_with_peers_2015",
        "mean share of organisations employing peers in 2015-16 (months 49-60)",
        0.465,
        "AIHW: 46.5 % of specialised services employed consumer workers in 2015-16",
        "fitted",
        0.05,
    ),
    NationalFigure(
        "orgs_with_peers_2016",
        "mean share of organisations employing peers in 2016-17 (months 61-72)",
        0.447,
        "AIHW: 44.7 % in 2016-17",
        "fitted",
        0.05,
    ),
    NationalFigure(
        "orgs_with_peers_2017",
        "mean share of organisations employing peers in 2017-18 (months 73-84)",
        0.453,
        "AIHW: 45.3 % in 2017-18 (77 of 170 specialised services); it also sets the default "
        "run's month 0 (exposure_mix), so it is checked, not held out",
        "checked",
        0.05,
        {"persistence": 0.447, "linear trend": 0.447 + (0.447 - 0.465)},
    ),
    NationalFigure(
        "peer_growth_2015_2019",
        "yearly growth of the mean peer workforce from 2015-16 to 2019-20, "
        "(P_2019-20 / P_2015-16)^(1/4) - 1",
        0.159,
        "AIHW: the lived-experience (consumer and carer) workforce grew about 15.9 % a "
        "year from 2015-16 to 2019-20; used nowhere in building or tuning the model (the "
        "funding envelope's growth is estimated, not read off this series)",
        "held out",
        0.05,
        {
            # The 2011-12 to 2015-16 growth goes on; or FTE per 10,000 keeps rising by its
            # 2011-15 yearly step (3.725), from 44.3 to 59.2 in 2019-20.
            "persistence": (44.3 / 29.4) ** 0.25 - 1.0,
            "linear trend": (59.2 / 44.3) ** 0.25 - 1.0,
        },
    ),
)

#: Names of the fitted figures and of the held-out ones.
FITTED = tuple(figure.name for figure in NATIONAL_FIGURES if figure.fitted)
HELD_OUT = tuple(figure.name for figure in NATIONAL_FIGURES if figure.role == "held out")
_FIGURES = {figure.name: figure for figure in NATIONAL_FIGURES}


@dataclass(frozen=True)
class Prior:
    """The prior of one estimated quantity: uniform on its scale between two bounds.

    Attributes:
        name: A model parameter, or a hindcast-only nuisance (see :data:`NUISANCES`).
        low: Lower bound.
        high: Upper bound.
        log: Uniform in the logarithm (for rates whose order of magnitude is unknown).
        reason: Why this range.
    """

    name: str
    low: float
    high: float
    log: bool
    reason: str


#: The hindcast's own quantities, not model parameters: the share of organisations with
#: no exposure to peer work in 2011-12 (the first share of ``exposure_mix``; the other
#: two keep the default's 2 : 1 split), and the yearly growth of the funding envelope
#: from 2011-12 to 2019-20 (estimated, so that the envelope is not the national series the
#: hindcast is scored on; :func:`simulation.core.environment.funding_path`).
NUISANCES = ("initial_unexposed", "envelope_growth")

PRIORS: tuple[Prior, ...] = (
    Prior(
        "first_hire_rate",
        0.005,
        0.2,
        True,
        "a peerless organisation whose leaders fully understand peer roles, at full "
        "pressure, funds a first post within 5 to 200 months on average",
    ),
    Prior(
        "position_rate",
        0.03,
        0.4,
        True,
        "at full will a post opens every 2.5 to 33 months in an organisation",
    ),
    Prior(
        "hire_threshold",
        0.15,
        0.45,
        False,
        "will above which posts open: around the decision-makers' mean commitment at set-up "
        "(0.15-0.45 by class)",
    ),
    Prior(
        "pressure_support",
        0.0,
        1.0,
        False,
        "share of the gap to full board support that full policy pressure closes: anything "
        "from none to all",
    ),
    Prior(
        "understanding_gain",
        0.02,
        0.2,
        True,
        "monthly understanding gain at full exposure: leaders come to understand the roles "
        "within 5 to 50 months of full exposure",
    ),
    Prior(
        "understanding_decay",
        0.005,
        0.05,
        True,
        "monthly decay of understanding: its half-life without exposure 1 to 12 years",
    ),
    Prior(
        "envelope_growth",
        0.0,
        0.25,
        False,
        "yearly growth of the funding for peer posts, 2011-12 to 2019-20: from none to 25 %, "
        "a wide range around the growth of national mental-health spending (a few per cent a "
        "year in real terms) and of new peer-workforce programmes",
    ),
    Prior(
        "initial_unexposed",
        0.45,
        0.75,
        False,
        "share of organisations with no peers in 2011-12: 25-55 % employing peers, around "
        "the 45-47 % of 2015-18 and allowing for growth before",
    ),
)
PRIOR_NAMES = tuple(prior.name for prior in PRIORS)


def check_priors(priors: Sequence[Prior] = PRIORS) -> None:
    """Check that every prior names a model parameter or a nuisance, within its range.

    Raises:
        ValueError: Naming the prior and what is allowed.
    """
    fields = Parameters.model_fields
    for prior in priors:
        if prior.name not in fields and prior.name not in NUISANCES:
            raise ValueError(f"prior {prior.name!r} is neither a model parameter nor a nuisance")
        if prior.name in fields:
            validate_parameters({prior.name: prior.low}, owner="prior")
            validate_parameters({prior.name: prior.high}, owner="prior")


def exposure_mix_for(unexposed: float) -> tuple[float, float, float]:
    """``exposure_mix`` with ``unexposed`` organisations of class none, the rest 2 : 1."""
    rest = 1.0 - unexposed
    return (unexposed, rest * 2.0 / 3.0, rest / 3.0)


def hindcast_params(values: Mapping[str, float], months: int = HINDCAST_MONTHS) -> dict[str, Any]:
    """Model keyword arguments of a hindcast run from 2011-12.

    Args:
        values: Estimated parameters and nuisances (missing ones keep their defaults).
        months: Months of the run (the environment series cover them).

    Returns:
        The environment of 2011-12 onwards, the parameters, and ``exposure_mix`` from the
        nuisance ``initial_unexposed`` if given; the envelope from ``envelope_growth`` if
        given (otherwise the built-in path).
    """
    years = months // 12 + 1
    envelope = None
    if "envelope_growth" in values:
        envelope = funding_path(float(values["envelope_growth"]))
    params: dict[str, Any] = {
        "funding_envelope": series_from("funding_envelope", HINDCAST_START_YEAR, years, envelope),
        "policy_pressure": series_from("policy_pressure", HINDCAST_START_YEAR, years),
    }
    for name, value in values.items():
        if name == "initial_unexposed":
            params["exposure_mix"] = exposure_mix_for(float(value))
        elif name not in NUISANCES:
            params[name] = float(value)
    return params


def _year_mean(series: np.ndarray, year: int) -> float:
    """Mean of a monthly series over model year ``year`` (NaN beyond the run)."""
    start, end = 12 * year + 1, 12 * year + 13
    return float(series[start:end].mean()) if end <= series.size else math.nan


def hindcast_figures(frame: pd.DataFrame, n_orgs: int) -> dict[str, float]:
    """The figures of :data:`NATIONAL_FIGURES` read off one hindcast run.

    Args:
        frame: Sector frame indexed or keyed by month from 0 (2011-12 starts at month 1).
        n_orgs: Organisations in the sector.

    Returns:
        Figure name -> value; NaN where the run is too short or a denominator is zero.
    """
    share = frame["peer_share"].to_numpy(dtype=float)
    peers = frame["peer_workers"].to_numpy(dtype=float)
    orgs = frame["orgs_with_peers"].to_numpy(dtype=float) / n_orgs
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = _year_mean(share, 4) / _year_mean(share, 0)
        growth = (_year_mean(peers, 8) / _year_mean(peers, 4)) ** 0.25 - 1.0
    return {
        "peer_share_ratio": float(ratio) if math.isfinite(ratio) else math.nan,
        "orgs_with_peers_2015": _year_mean(orgs, 4),
        "orgs_with_peers_2016": _year_mean(orgs, 5),
        "orgs_with_peers_2017": _year_mean(orgs, 6),
        "peer_growth_2015_2019": float(growth) if math.isfinite(growth) else math.nan,
    }


def run_hindcast(
    seed: int,
    values: Mapping[str, float],
    months: int = HINDCAST_MONTHS,
    fixed: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """Run one hindcast and return its figures.

    Args:
        seed: The run's seed.
        values: Estimated parameters and nuisances.
        months: Months to run (108 covers every figure; 72 the fitted ones).
        fixed: Other parameters held at other than their defaults (tests use a small
            sector); the estimated values override them.

    Returns:
        Figure name -> value (see :func:`hindcast_figures`).
    """
    params = dict(fixed or {}) | hindcast_params(values, months)
    frame = simulate(steps=months, seed=seed, **params)
    n_orgs = int(params.get("n_orgs", Parameters.model_fields["n_orgs"].default))
    return hindcast_figures(frame, n_orgs)


def distance(figures: Mapping[str, float], names: Sequence[str] = FITTED) -> float:
    """Misfit of one run's figures: the root of the sum of squared scaled misfits.

    Each figure in ``names`` adds ``((model - national) / scale) ** 2``; a missing
    figure (NaN) makes the distance infinite.

    Args:
        figures: Figure name -> model value.
        names: The figures compared.

    Returns:
        The distance (0 when every figure is hit exactly).
    """
    total = 0.0
    for name in names:
        value = float(figures[name])
        if not math.isfinite(value):
            return math.inf
        target = _FIGURES[name]
        total += ((value - target.value) / target.scale) ** 2
    return math.sqrt(total)


# ---- the posterior ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Posterior:
    """Weighted parameter draws: the posterior of the hindcast.

    Attributes:
        draws: One row per draw: a column per estimated quantity (model parameters and
            nuisances) and ``weight`` (and, from a search, ``distance`` and ``seed``).
        source: Where it was read from (for messages and manifests).
    """

    draws: pd.DataFrame
    source: str = "<posterior>"
    _probabilities: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weights = self.draws[WEIGHT].to_numpy(dtype=float)
        # Scaled by the largest first: weights near the float maximum would sum to inf.
        scaled = weights / weights.max()
        object.__setattr__(self, "_probabilities", scaled / scaled.sum())

    @property
    def parameters(self) -> list[str]:
        """The model parameters a draw sets (nuisances of the hindcast are left out)."""
        return [name for name in self.draws.columns if name in Parameters.model_fields]

    @property
    def estimated(self) -> list[str]:
        """Every estimated column: parameters and nuisances."""
        return [name for name in self.draws.columns if name not in (WEIGHT, DISTANCE, SEED)]

    def __len__(self) -> int:
        return len(self.draws)

    def sample_indices(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Row positions drawn with replacement in proportion to the weights."""
        return rng.choice(len(self.draws), size=size, p=self._probabilities)

    def values(self, index: int, *, nuisances: bool = False) -> dict[str, float | int]:
        """The estimated values of row ``index``: its parameters (and nuisances if asked).

        An integer parameter's value is an ``int``, every other a ``float``.
        """
        names = self.estimated if nuisances else self.parameters
        return {name: self.draws[name].iloc[int(index)].item() for name in names}

    def draw_index(self, seed: int, replication: int) -> int:
        """The row replication ``replication`` of a run with root ``seed`` draws.

        It depends on the root seed and the replication alone, so the same seed gives the
        same draws and paired scenarios share them (common random numbers).
        """
        sequence = np.random.SeedSequence(int(seed), spawn_key=(int(replication), POSTERIOR_STREAM))
        return int(self.sample_indices(np.random.default_rng(sequence), 1)[0])

    def draw(self, seed: int, replication: int) -> dict[str, float | int]:
        """The model parameters of replication ``replication`` of a run with root ``seed``."""
        return self.values(self.draw_index(seed, replication))

    def median(self) -> dict[str, float]:
        """The weighted median of every estimated column."""
        return {
            name: weighted_quantile(self.draws[name], self._probabilities, 0.5)
            for name in self.estimated
        }

    def manifest_entry(self, seed: int, replications: int) -> dict[str, Any]:
        """What a results manifest records: the file, its hash, and each replication's row."""
        text = Path(self.source).read_bytes() if Path(self.source).is_file() else b""
        return {
            "path": self.source,
            "sha256": hashlib.sha256(text).hexdigest() if text else None,
            "draws": len(self),
            "parameters": self.parameters,
            "rows_drawn": [self.draw_index(seed, r) for r in range(replications)],
        }


def weighted_quantile(values: Any, probabilities: np.ndarray, q: float) -> float:
    """The ``q`` quantile of weighted values (the inverse of the weighted CDF)."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(probabilities[order])
    position = int(np.searchsorted(cumulative, q * cumulative[-1]))
    return float(values[order][min(position, len(values) - 1)])


def _posterior_error(source: str, what: str, allowed: str) -> InputError:
    return InputError(f"posterior file {source}: {what}; allowed: {allowed}")


def _shown(value: Any) -> str:
    """A cell as a message shows it: text quoted (``'high'``), a number plain (``nan``)."""
    if isinstance(value, str):
        return repr(value) if value.strip() else "an empty cell"
    return str(value.item() if isinstance(value, np.generic) else value)


def _is_integer_parameter(name: str) -> bool:
    field_info = Parameters.model_fields.get(name)
    return field_info is not None and field_info.annotation is int


def posterior_from_frame(frame: pd.DataFrame, source: str = "<posterior>") -> Posterior:
    """Check a table of draws and make it a :class:`Posterior`.

    Cells may be numbers or their text (as read from a CSV). Integer parameters
    (``n_orgs``) must hold whole numbers and are kept as integers; every other column is
    made float.

    Args:
        frame: The draws (see :class:`Posterior`).
        source: Its file, for messages.

    Returns:
        The posterior.

    Raises:
        InputError: Naming the file, the column or row, the value and what is allowed.
    """
    frame = frame.copy()
    known = set(Parameters.model_fields) | set(NUISANCES) | {WEIGHT, DISTANCE, SEED}
    allowed_columns = (
        "weight, distance, seed, the nuisances initial_unexposed and envelope_growth, and "
        "numeric model parameters"
    )
    for column in frame.columns:
        if column not in known:
            raise _posterior_error(source, f"unknown column {column!r}", allowed_columns)
    if WEIGHT not in frame.columns:
        raise _posterior_error(source, "no column 'weight'", "a column of weights >= 0")
    if frame.empty:
        raise _posterior_error(source, "no draws", "at least one row")
    posterior_columns = [name for name in frame.columns if name not in (WEIGHT, DISTANCE, SEED)]
    if not posterior_columns:
        raise _posterior_error(source, "no parameter column", allowed_columns)
    for column in [WEIGHT, *posterior_columns]:
        numbers = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _posterior_error(
                source,
                f"column {column!r}, row {row + 1}: {_shown(frame[column].iloc[row])} is not "
                "a finite number",
                "finite numbers",
            )
        if _is_integer_parameter(column):
            fractional = numbers != numbers.round()
            if fractional.any():
                row = int(np.flatnonzero(fractional.to_numpy())[0])
                raise _posterior_error(
                    source,
                    f"column {column!r}, row {row + 1}: {_shown(numbers.iloc[row])} is not a "
                    "whole number",
                    f"whole numbers ({column} is an integer parameter)",
                )
            # Beyond 2**53 a float is no longer an exact integer (nor, past 2**63, an int64).
            huge = numbers.abs() > 2**53
            if huge.any():
                row = int(np.flatnonzero(huge.to_numpy())[0])
                raise _posterior_error(
                    source,
                    f"column {column!r}, row {row + 1}: {_shown(numbers.iloc[row])} is not allowed",
                    allowed_values(column),
                )
            frame[column] = numbers.round().astype(np.int64)
        else:
            frame[column] = numbers
    for column in (DISTANCE, SEED):  # a search's record of each draw, not checked
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    weights = frame[WEIGHT].to_numpy()
    if (weights < 0).any() or weights.max() <= 0:  # (max, not sum: no overflow to inf)
        raise _posterior_error(
            source, "column 'weight' has a negative value or sums to 0", "weights >= 0, sum > 0"
        )
    for column in posterior_columns:
        if column in NUISANCES:
            values = frame[column]
            if ((values < 0) | (values > 1)).any():
                raise _posterior_error(source, f"column {column!r} outside 0-1", "shares 0-1")
            continue
        # Each distinct value once: a large file repeats values, and the check is the same.
        for value in pd.unique(frame[column]):
            try:
                validate_parameters({column: value.item()})
            except ParameterError:
                row = int(np.flatnonzero((frame[column] == value).to_numpy())[0])
                raise _posterior_error(
                    source,
                    f"column {column!r}, row {row + 1}: {_shown(value)} is not allowed",
                    f"{allowed_values(column)} (lewsim params lists every parameter)",
                ) from None
    return Posterior(frame.reset_index(drop=True), source)


def _read_posterior_csv(path: Path) -> pd.DataFrame:
    """The cells of a posterior file as text, after checking the file and its header."""
    try:
        data = read_small_file(path, "posterior", MAX_POSTERIOR_BYTES, POSTERIOR_SIZE_REASON)
    except SettingsFileError as problem:
        raise InputError(f"posterior file {path}: {problem}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"posterior file {path}: is not UTF-8 text (CSV files are)") from None
    header = next(csv.reader(io.StringIO(text.partition("\n")[0])), [])
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise _posterior_error(str(path), f"column {name!r} twice", "each column once")
        seen.add(name)
    if len(header) > len(Parameters.model_fields) + len(NUISANCES) + 3:
        raise _posterior_error(
            str(path),
            f"{len(header)} columns, more than there are parameters",
            "weight, distance, seed and one column per parameter",
        )
    try:
        # As text: the checks then show a bad cell as it is written, and read every number
        # the same way whatever its column.
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as error:
        message = " ".join(str(error).split())
        raise InputError(f"posterior file {path}: cannot be read as CSV ({message})") from None


def load_posterior(path: str | Path | None = None) -> Posterior:
    """Read a posterior file (CSV); by default the packaged one.

    Args:
        path: The file (default :data:`DEFAULT_POSTERIOR`).

    Returns:
        The checked posterior.

    Raises:
        InputError: If the file is missing, not a small regular file (a device, a pipe, a
            directory or more than :data:`MAX_POSTERIOR_BYTES`), cannot be read as CSV or
            its contents are not a posterior.
    """
    path = Path(path) if path is not None else DEFAULT_POSTERIOR
    return posterior_from_frame(_read_posterior_csv(path), str(path))


def posterior_note(posterior: Posterior, overridden: Sequence[str] = ()) -> str:
    """A sentence for reports: what ``--posterior`` did to the intervals."""
    note = (
        f"Each replication drew its {', '.join(posterior.parameters)} from the posterior "
        f"{posterior.source} ({len(posterior)} weighted draws, same draws for the same seed): "
        "the intervals include parameter uncertainty, not only seed noise."
    )
    if overridden:
        note += (
            f" The scenario's own setting of {', '.join(overridden)} overrides the posterior's "
            "draws of it."
        )
    return note


def _prior_quantile(prior: Prior, q: float) -> float:
    if prior.log:
        return float(np.exp(np.log(prior.low) + q * (np.log(prior.high) - np.log(prior.low))))
    return prior.low + q * (prior.high - prior.low)


def posterior_table(posterior: Posterior, priors: Sequence[Prior] = PRIORS) -> pd.DataFrame:
    """What the targets identify: each quantity's prior and posterior 90 % intervals.

    ``shrinkage`` is 1 - (posterior 90 % width) / (prior 90 % width), both measured on the
    prior's scale (log for log-uniform priors): near 0 the targets leave the prior as it
    was (not identified), near 1 they pin the quantity down.

    Args:
        posterior: The posterior.
        priors: The priors it was drawn under.

    Returns:
        One row per prior: ``parameter``, ``prior_low``, ``prior_high``, ``median``,
        ``low`` and ``high`` (weighted 5th and 95th percentiles) and ``shrinkage``.
    """
    weights = posterior.draws[WEIGHT].to_numpy(dtype=float)
    weights = weights / weights.sum()
    rows = []
    for prior in priors:
        values = posterior.draws[prior.name]
        low, median, high = (weighted_quantile(values, weights, q) for q in (0.05, 0.5, 0.95))
        scale = np.log if prior.log else float
        prior_width = scale(_prior_quantile(prior, 0.95)) - scale(_prior_quantile(prior, 0.05))
        rows.append(
            {
                "parameter": prior.name,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "median": median,
                "low": low,
                "high": high,
                "shrinkage": 1.0 - (scale(high) - scale(low)) / prior_width,
            }
        )
    return pd.DataFrame(rows)


def posterior_correlations(posterior: Posterior) -> pd.DataFrame:
    """Weighted correlations between the estimated quantities (log scale for log priors)."""
    logged = {prior.name for prior in PRIORS if prior.log}
    columns = posterior.estimated
    values = np.column_stack(
        [
            np.log(posterior.draws[name]) if name in logged else posterior.draws[name]
            for name in columns
        ]
    )
    weights = posterior.draws[WEIGHT].to_numpy(dtype=float)
    covariance = np.cov(values, rowvar=False, aweights=weights)
    sd = np.sqrt(np.diag(covariance))
    return pd.DataFrame(covariance / np.outer(sd, sd), index=columns, columns=columns)


# ---- posterior predictive check ------------------------------------------------------------


HindcastJob = tuple[int, dict[str, float], int, Mapping[str, Any] | None]


def _predictive_batch(jobs: list[HindcastJob]) -> list[dict[str, float]]:
    """:func:`run_hindcast` of jobs with one set-up, their seeds run as one batch."""
    _, values, months, fixed = jobs[0]
    params = dict(fixed or {}) | hindcast_params(values, months)
    frames = simulate_batch(months, [seed for seed, _, _, _ in jobs], **params)
    n_orgs = int(params.get("n_orgs", Parameters.model_fields["n_orgs"].default))
    return [hindcast_figures(frame, n_orgs) for frame in frames]


def _hindcast_setup(job: HindcastJob) -> tuple[Any, Any]:
    _, values, months, fixed = job
    return dict(fixed or {}), repr((sorted(values.items()), months, fixed))


def default_nuisances() -> dict[str, float]:
    """The hindcast's nuisances at the defaults.

    The packaged posterior's median share of peerless organisations in 2011-12, and the
    default envelope growth (:data:`simulation.core.environment.ENVELOPE_GROWTH`).
    """
    return {
        "initial_unexposed": load_posterior().median()["initial_unexposed"],
        "envelope_growth": ENVELOPE_GROWTH,
    }


def defaults_hindcast(
    seeds: int, *, root_seed: int = HINDCAST_START_YEAR, workers: int = 1
) -> list[dict[str, float]]:
    """Hindcast runs at the model's defaults: the check that the defaults are the calibration.

    The two nuisances are :func:`default_nuisances`; every model parameter keeps its
    default. Run ``s`` has seed
    ``replication_seed(root_seed, s)``.

    Args:
        seeds: Runs.
        root_seed: Root of their seeds.
        workers: Processes.

    Returns:
        The figures of each run (see :func:`hindcast_figures`).
    """
    nuisances = default_nuisances()
    jobs = [
        (replication_seed(root_seed, s), nuisances, HINDCAST_MONTHS, None) for s in range(seeds)
    ]
    return map_batched(_predictive_batch, jobs, _hindcast_setup, workers=workers)


def predictive_runs(
    posterior: Posterior,
    *,
    draws: int = 100,
    seeds: int = 2,
    root_seed: int = 2020,
    months: int = HINDCAST_MONTHS,
    workers: int = 1,
    progress: bool = False,
    fixed: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Hindcast runs of weighted draws of the posterior, each on several seeds.

    The rows are drawn with replacement in proportion to the weights by a generator on
    ``SeedSequence(root_seed)``'s first child; run ``i`` (draw ``i // seeds``) has seed
    ``replication_seed(root_seed, i)`` (children of the same root sequence from 1 on).

    Args:
        posterior: The posterior.
        draws: Parameter sets drawn.
        seeds: Seeds per draw.
        root_seed: Root of the draws and the seeds.
        months: Months per run.
        workers: Processes.
        progress: Show a progress bar.
        fixed: Parameters held fixed (see :func:`run_hindcast`).

    Returns:
        One row per run: ``draw`` (row of the posterior), ``seed`` and the figures.
    """
    rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(0,)))
    rows = posterior.sample_indices(rng, draws)
    run_seeds = [replication_seed(root_seed, 1 + i) for i in range(draws * seeds)]
    jobs = [
        (run_seeds[i], posterior.values(rows[i // seeds], nuisances=True), months, fixed)
        for i in range(draws * seeds)
    ]
    figures = map_batched(
        _predictive_batch,
        jobs,
        _hindcast_setup,
        workers=workers,
        progress=progress,
        desc="predictive runs",
    )
    frame = pd.DataFrame(figures)
    frame.insert(0, "seed", np.array(run_seeds, dtype=np.int64))
    frame.insert(0, "draw", np.repeat(rows, seeds))
    return frame


def crps(values: np.ndarray, observed: float) -> float:
    """Continuous ranked probability score of an ensemble forecast (lower is better).

    ``mean |X - y| - mean |X - X'| / 2`` over the ensemble ``X``: for a single value it is
    the absolute error, so a model's ensemble and a naive point forecast are on one scale.
    """
    values = np.sort(np.asarray(values, dtype=float))
    n = values.size
    if n == 0:
        return math.nan
    spread = np.sum((2 * np.arange(1, n + 1) - n - 1) * values) / n**2  # mean |X - X'| / 2
    return float(np.mean(np.abs(values - observed)) - spread)


def interval_score(low: float, high: float, observed: float, level: float) -> float:
    """Interval score of a central prediction interval (Gneiting & Raftery 2007; lower is better).

    Its width, plus ``2 / alpha`` times how far the observation falls outside, with
    ``alpha = 1 - level``.
    """
    alpha = 1.0 - level
    below = max(low - observed, 0.0)
    above = max(observed - high, 0.0)
    return float(high - low + 2.0 / alpha * (below + above))


def predictive_table(runs: pd.DataFrame, level: float = PREDICTION_LEVEL) -> pd.DataFrame:
    """Each figure's prediction interval over predictive runs and the national figure's verdict.

    Args:
        runs: From :func:`predictive_runs`.
        level: Central coverage of the interval.

    Returns:
        One row per figure of :data:`NATIONAL_FIGURES`: ``figure``, ``role`` (fitted,
        held out or checked), ``national``, ``median``, ``low``, ``high``, ``inside`` (the
        national figure lies in the interval), ``miss`` (how far outside, 0 inside),
        ``runs`` (runs with a value), ``interval_score`` and ``crps`` of the model's
        forecast, and for figures with baselines ``best_baseline`` (the naive forecast
        with the lowest CRPS, its absolute error), ``baseline_crps`` and ``beats_baselines``
        (the model's CRPS is lower than every baseline's).
    """
    tail = (1.0 - level) / 2.0
    rows = []
    for figure in NATIONAL_FIGURES:
        values = runs[figure.name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if values.size:
            low, median, high = np.quantile(values, [tail, 0.5, 1.0 - tail])
        else:
            low = median = high = math.nan
        inside = bool(low <= figure.value <= high)
        miss = 0.0 if inside else float(min(abs(figure.value - low), abs(figure.value - high)))
        rows.append(
            {
                "figure": figure.name,
                "role": figure.role,
                "national": figure.value,
                "median": float(median),
                "low": float(low),
                "high": float(high),
                "inside": inside,
                "miss": miss,
                "runs": int(values.size),
                "interval_score": interval_score(low, high, figure.value, level),
                "crps": crps(values, figure.value),
                **_baseline_columns(figure, crps(values, figure.value)),
            }
        )
    return pd.DataFrame(rows)


def _baseline_columns(figure: NationalFigure, model_crps: float) -> dict[str, Any]:
    if not figure.baselines:
        return {"best_baseline": "", "baseline_crps": math.nan, "beats_baselines": None}
    errors = {name: abs(value - figure.value) for name, value in figure.baselines.items()}
    best = min(errors, key=errors.__getitem__)
    return {
        "best_baseline": best,
        "baseline_crps": errors[best],
        "beats_baselines": bool(model_crps < errors[best]),
    }


def predictive_check(
    posterior: Posterior | None = None,
    *,
    draws: int = 100,
    seeds: int = 2,
    root_seed: int = 2020,
    workers: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """The posterior predictive check of the hindcast: :func:`predictive_table` of its runs.

    Args:
        posterior: The posterior (default: the packaged one).
        draws: Parameter sets drawn.
        seeds: Seeds per draw.
        root_seed: Root of the draws and seeds.
        workers: Processes.
        progress: Show a progress bar.

    Returns:
        The table of :func:`predictive_table` (the held-out figures are the verdicts).
    """
    posterior = posterior if posterior is not None else load_posterior()
    runs = predictive_runs(
        posterior,
        draws=draws,
        seeds=seeds,
        root_seed=root_seed,
        workers=workers,
        progress=progress,
    )
    return predictive_table(runs)


# ---- the ABC-SMC search ---------------------------------------------------------------------


@dataclass(frozen=True)
class AbcSettings:
    """Settings of :func:`abc_search`.

    Attributes:
        population: Particles per generation (the posterior's rows).
        generations: Most generations.
        min_acceptance: Stop when a generation accepts fewer of its proposals.
        max_simulations: Stop after the generation in which the runs reach this many
            (the budget: about 0.5 s a run on a free core).
        months: Months per run (108 for the whole hindcast; fewer for tests).
        root_seed: Root of pyabc's generator and of every run's seed.
        fixed: Parameters held at other than their defaults (none in the calibration;
            tests use a small sector).
    """

    population: int = 250
    generations: int = 4
    min_acceptance: float = 0.02
    max_simulations: int = 4000
    months: int = HINDCAST_MONTHS
    root_seed: int = 2011
    fixed: Mapping[str, Any] = field(default_factory=dict)


#: Prefix of a quantity searched on the log10 scale (its prior is log-uniform).
LOG_PREFIX = "log10_"


def _searched_name(prior: Prior) -> str:
    return LOG_PREFIX + prior.name if prior.log else prior.name


def _searched_bounds(prior: Prior, scale: Any) -> tuple[float, float]:
    """``(low, width)`` of the uniform distribution searched, on the searched scale."""
    low, high = scale(prior.low), scale(prior.high)
    return low, high - low


def _natural(parameter: Mapping[str, float]) -> dict[str, float]:
    """Searched values back on their natural scale (``log10_x`` becomes ``x``)."""
    return {
        (name.removeprefix(LOG_PREFIX) if name.startswith(LOG_PREFIX) else name): (
            10.0 ** float(value) if name.startswith(LOG_PREFIX) else float(value)
        )
        for name, value in dict(parameter).items()
    }


@dataclass(frozen=True)
class AbcResult:
    """What :func:`abc_search` found.

    Attributes:
        posterior: The last generation: estimated columns, ``weight``, ``distance``, ``seed``.
        provenance: Settings, priors, figures, seeds, epsilons, acceptance, wall time.
    """

    posterior: pd.DataFrame
    provenance: dict[str, Any]


def abc_search(
    settings: AbcSettings, *, command: str = "", priors: Sequence[Prior] = PRIORS
) -> AbcResult:
    """Estimate the parameters of ``priors`` by ABC-SMC on the fitted national figures.

    Every proposal is one hindcast run; proposal ``i`` (counted from 0 over the whole
    search, pyabc's calibration sample included) has seed ``replication_seed(root_seed,
    i)``, i.e. ``SeedSequence(root_seed, spawn_key=(i,))``. pyabc draws from NumPy's global
    generator, seeded with ``root_seed``; on one core the search is reproducible.

    Args:
        settings: Sizes, horizon and root seed.
        command: The command line, recorded in the provenance.
        priors: The estimated quantities.

    Returns:
        The posterior and its provenance.
    """
    import pyabc  # noqa: PLC0415 - only the search needs pyabc

    check_priors(priors)
    clock = time.perf_counter()
    counter = {"proposals": 0}

    def model(parameter: Mapping[str, float]) -> dict[str, float]:
        proposal = counter["proposals"]
        counter["proposals"] += 1
        figures = run_hindcast(
            replication_seed(settings.root_seed, proposal),
            _natural(parameter),
            settings.months,
            settings.fixed,
        )
        return {name: figures[name] for name in FITTED} | {"proposal": float(proposal)}

    def abc_distance(simulated: Mapping[str, float], observed: Mapping[str, float]) -> float:
        return distance(simulated)

    # A log-uniform prior is searched as a uniform one on log10 of the quantity, so that
    # the perturbation kernel works on the scale the prior is flat on: a normal kernel on
    # the natural scale against a 1/x prior gives particles near the lower bound huge
    # importance weights, and the effective sample collapses (5 of 200 in a trial).
    prior = pyabc.Distribution(
        **{
            _searched_name(each): pyabc.RV(
                "uniform", *_searched_bounds(each, math.log10 if each.log else float)
            )
            for each in priors
        }
    )
    observed = {name: _FIGURES[name].value for name in FITTED} | {"proposal": 0.0}
    np.random.seed(settings.root_seed % 2**32)  # noqa: NPY002 - pyabc draws from the global one
    abc = pyabc.ABCSMC(
        model,
        prior,
        abc_distance,
        population_size=settings.population,
        sampler=pyabc.sampler.SingleCoreSampler(check_max_eval=False),
        eps=pyabc.epsilon.QuantileEpsilon(alpha=0.5),
    )
    with tempfile.TemporaryDirectory() as folder:
        abc.new(f"sqlite:///{Path(folder) / 'abc.db'}", observed)
        history = abc.run(
            max_nr_populations=settings.generations,
            min_acceptance_rate=settings.min_acceptance,
            max_total_nr_simulations=settings.max_simulations,
        )
        population = history.get_population()
        generations = history.get_all_populations()
        total = int(history.total_nr_simulations)
    rows = []
    for particle in population.particles:
        proposal = int(particle.sum_stat["proposal"])
        values = _natural(particle.parameter)
        rows.append(
            {name: float(values[name]) for name in PRIOR_NAMES if name in values}
            | {
                WEIGHT: float(particle.weight),
                DISTANCE: float(particle.distance),
                SEED: replication_seed(settings.root_seed, proposal),
            }
        )
    posterior = pd.DataFrame(rows)
    posterior[WEIGHT] /= posterior[WEIGHT].sum()
    generations = generations[generations["t"] >= 0]
    provenance = {
        "command": command,
        "method": "ABC-SMC (pyabc "
        + pyabc.__version__
        + "), one core, median-quantile epsilon, multivariate normal kernels",
        "start_year": HINDCAST_START_YEAR,
        "months": settings.months,
        "population": settings.population,
        "generations": int(len(generations)),
        "max_generations": settings.generations,
        "min_acceptance": settings.min_acceptance,
        "max_simulations": settings.max_simulations,
        "root_seed": settings.root_seed,
        "fixed": dict(settings.fixed),
        "seeds": "proposal i runs on replication_seed(root_seed, i) = "
        "SeedSequence(root_seed, spawn_key=(i,)); each draw's seed is in the CSV",
        "proposals": counter["proposals"],
        "simulations_reported_by_pyabc": total,
        "priors": [
            {
                "name": p.name,
                "low": p.low,
                "high": p.high,
                "scale": "log" if p.log else "linear",
                "reason": p.reason,
            }
            for p in priors
        ],
        "fitted": {name: _FIGURES[name].value for name in FITTED},
        "scales": {name: _FIGURES[name].scale for name in FITTED},
        "held_out": {name: _FIGURES[name].value for name in HELD_OUT},
        "per_generation": [
            {
                "t": int(row["t"]),
                "epsilon": float(row["epsilon"]),
                "samples": int(row["samples"]),
                "acceptance": settings.population / float(row["samples"]),
            }
            for _, row in generations.iterrows()
        ],
        "final_distance_median": float(posterior[DISTANCE].median()),
        "wall_time_seconds": round(time.perf_counter() - clock, 1),
    }
    return AbcResult(posterior=posterior, provenance=provenance)


#: Draws x seeds of the predictive check in ``lewsim validate`` (and with ``--quick``).
VALIDATION_RUNS = (100, 2)
QUICK_VALIDATION_RUNS = (30, 1)
#: Root seed of the validation's predictive check.
VALIDATION_ROOT_SEED = 2020


def held_out_predictions(
    *, quick: bool = False, workers: int = 1, progress: bool = False
) -> pd.DataFrame:
    """The packaged posterior's predictions of every national figure, for ``lewsim validate``.

    Args:
        quick: Fewer draws (:data:`QUICK_VALIDATION_RUNS` instead of :data:`VALIDATION_RUNS`).
        workers: Processes.
        progress: Show a progress bar.

    Returns:
        The table of :func:`predictive_table`, held-out figures first.
    """
    draws, seeds = QUICK_VALIDATION_RUNS if quick else VALIDATION_RUNS
    table = predictive_check(
        draws=draws, seeds=seeds, root_seed=VALIDATION_ROOT_SEED, workers=workers, progress=progress
    )
    order = {"held out": 0, "checked": 1, "fitted": 2}
    return table.sort_values("role", key=lambda role: role.map(order), kind="stable")
