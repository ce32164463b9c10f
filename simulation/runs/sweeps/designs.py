"""A sweep's sampling designs: the points of each design (factorial, list, lhs, sobol, morris).

Factorial and list designs enumerate the factors' levels or values; the others draw on the
unit hypercube (``scipy.stats.qmc`` for Latin hypercubes, SALib for Saltelli's and
Morris's samples), which :class:`~simulation.runs.sweeps.sweep_file.FactorSpec` maps onto
each factor's range or levels.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from simulation.runs.sweeps.sweep_file import FactorSpec, SweepFile

#: The designs a sweep file may name.
DESIGNS = ("factorial", "list", "lhs", "sobol", "morris")

#: Morris grid levels (SALib's default is 4; the analysis must use the same number).
MORRIS_LEVELS = 4


def design_problems(spec: SweepFile, factors: Sequence[FactorSpec]) -> list[str]:
    """What the design needs that the file does not give (samples, levels, values)."""
    problems = []
    by_key = dict(zip(spec.parameters, spec.parameters.values(), strict=True))
    if spec.design == "factorial":
        problems += [
            f"parameters.{key}: the factorial design takes levels = [...], "
            f"not {'range' if factor.range else 'values'}"
            for key, factor in by_key.items()
            if factor.levels is None
        ]
    elif spec.design == "list":
        problems += [
            f"parameters.{key}: the list design takes values = [...] (one per point)"
            for key, factor in by_key.items()
            if factor.values is None
        ]
        lengths = {len(factor.values) for factor in by_key.values() if factor.values is not None}
        if len(lengths) > 1:
            problems.append(
                "parameters: every factor of a list design needs the same number of values; "
                f"got {sorted(lengths)}"
            )
    else:
        problems += [
            f"parameters.{key}.values: only the list design takes values; use range or levels"
            for key, factor in by_key.items()
            if factor.values is not None
        ]
        if spec.samples is None:
            problems.append(f"samples: missing; the {spec.design} design needs a sample size")
        if (
            spec.design == "sobol"
            and spec.samples is not None
            and spec.samples & (spec.samples - 1)
        ):
            problems.append(
                f"samples = {spec.samples}: the sobol design needs a power of 2 (e.g. 64, 128, 256)"
            )
        if spec.design == "sobol" and len(factors) < 2:
            problems.append("parameters: Sobol indices need at least two factors")
    if spec.design in ("factorial", "list") and spec.samples is not None:
        problems.append(f"samples: the {spec.design} design takes no sample size; remove it")
    return problems


def design_size(spec: SweepFile, factors: Sequence[FactorSpec]) -> int:
    """The number of design points a checked sweep file asks for, without building them.

    Args:
        spec: A sweep file whose design problems (:func:`design_problems`) are none.
        factors: Its factors.

    Returns:
        Every combination of levels (``factorial``), the number of listed values
        (``list``), ``samples`` (``lhs``), ``samples * (factors + 2)`` (``sobol``, Saltelli's
        sample without second-order indices) or ``samples * (factors + 1)`` (``morris``).
    """
    if spec.design == "factorial":
        return math.prod(len(factor.levels or ()) for factor in factors)
    if spec.design == "list":
        return len(factors[0].levels or ())
    assert spec.samples is not None
    if spec.design == "sobol":
        return spec.samples * (len(factors) + 2)
    if spec.design == "morris":
        return spec.samples * (len(factors) + 1)
    return spec.samples


def enumerated_points(spec: SweepFile, factors: Sequence[FactorSpec]) -> list[dict[str, Any]]:
    """The points of a factorial or list design, as factor values."""
    keys = [factor.key for factor in factors]
    if spec.design == "factorial":
        grids = [factor.levels for factor in factors]
        return [
            dict(zip(keys, combination, strict=True)) for combination in itertools.product(*grids)
        ]
    columns = [factor.levels for factor in factors]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def unit_design(spec: SweepFile, factors: Sequence[FactorSpec]) -> np.ndarray:
    """The design on the unit hypercube: points x factors, in [0, 1]."""
    count = len(factors)
    if spec.design in ("factorial", "list"):
        points = enumerated_points(spec, factors)
        units = np.empty((len(points), count))
        for column, factor in enumerate(factors):
            assert factor.levels is not None
            for row, point in enumerate(points):
                position = _index_of(factor.levels, point[factor.key])
                units[row, column] = (position + 0.5) / len(factor.levels)
        return units
    assert spec.samples is not None
    if spec.design == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=count, rng=np.random.default_rng(spec.seed)).random(
            spec.samples
        )
    problem = salib_problem(factors)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.seed)
    from SALib.sample import morris

    return morris.sample(problem, spec.samples, num_levels=MORRIS_LEVELS, seed=spec.seed)


def _index_of(levels: Sequence[Any], value: Any) -> int:
    for position, level in enumerate(levels):
        if type(level) is type(value) and level == value:
            return position
    raise ValueError(f"{value!r} is not a level")


def salib_problem(factors: Sequence[FactorSpec]) -> dict[str, Any]:
    """The SALib problem of a sweep: every factor on the unit interval."""
    return {
        "num_vars": len(factors),
        "names": [factor.key for factor in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }
