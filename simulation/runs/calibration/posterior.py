"""The posterior of the hindcast: weighted parameter draws, how runs draw from it, its summaries.

:meth:`Posterior.draw` gives one replication's parameters, so that ``lewsim run --posterior``
and ``lewsim compare --posterior`` carry parameter uncertainty (docs/ODD.md section 10.2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.parameters import Parameters
from simulation.runs.calibration.priors import PRIORS, Prior, prior_quantile

#: Columns of a posterior file besides its parameters.
WEIGHT, DISTANCE, SEED = "weight", "distance", "seed"

#: Spawn key that separates the posterior draw of replication ``r`` from its model seed:
#: the draw uses ``SeedSequence(seed, spawn_key=(r, POSTERIOR_STREAM))``, a grandchild of
#: the replication's own sequence ``SeedSequence(seed, spawn_key=(r,))``.
POSTERIOR_STREAM = 7


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
        prior_width = scale(prior_quantile(prior, 0.95)) - scale(prior_quantile(prior, 0.05))
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
