"""The pinned baseline: the default sector's 13 columns at a few months, for two seeds.

Any change to any of these numbers fails this test, so a refactor that silently changes
every result cannot pass. When a change of results is intended, regenerate the file with
``make baseline`` (which runs this module as a script), and say why in the commit: the
change then shows in the diff of ``tests/core/baseline.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from simulation import SECTOR_COLUMNS, simulate

BASELINE = Path(__file__).with_name("baseline.json")
SEEDS = (0, 1)
MONTHS = (0, 1, 12, 36, 60, 120)
STEPS = MONTHS[-1]

# Same platform, same numbers to the last bit; the tolerance only forgives a different
# BLAS or libm summing in another order (values are at most a few hundred).
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


def current_values() -> dict[str, dict[str, dict[str, float]]]:
    """The default sector's columns at :data:`MONTHS` for each seed, as JSON-ready dicts."""
    values = {}
    for seed in SEEDS:
        frame = simulate(steps=STEPS, seed=seed)
        values[str(seed)] = {
            str(month): {column: float(frame.loc[month, column]) for column in SECTOR_COLUMNS}
            for month in MONTHS
        }
    return values


def test_default_sector_matches_the_pinned_baseline():
    pinned = json.loads(BASELINE.read_text())
    current = current_values()
    changed = [
        f"seed {seed}, month {month}, {column}: pinned {pinned[seed][month][column]!r}, "
        f"now {value!r}"
        for seed, months in current.items()
        for month, columns in months.items()
        for column, value in columns.items()
        if not np.isclose(
            value,
            pinned[seed][month][column],
            rtol=RELATIVE_TOLERANCE,
            atol=ABSOLUTE_TOLERANCE,
        )
    ]
    assert not changed, (
        f"{len(changed)} baseline values changed (if intended: make baseline):\n"
        + "\n".join(changed[:20])
    )


def test_the_baseline_covers_every_column_seed_and_month():
    pinned = json.loads(BASELINE.read_text())
    assert sorted(pinned) == sorted(map(str, SEEDS))
    for months in pinned.values():
        assert sorted(months, key=int) == [str(month) for month in MONTHS]
        for columns in months.values():
            assert list(columns) == list(SECTOR_COLUMNS)


if __name__ == "__main__":  # `make baseline`
    BASELINE.write_text(json.dumps(current_values(), indent=1) + "\n")
    print(f"wrote {BASELINE}", file=sys.stderr)
