"""The default sector's magnitudes against the sourced ranges (docs/ODD.md section 10.5).

Each range of ``experiments/plausible-ranges.toml`` is checked on the mean of 16 seeds of
the default sector (120 months, run as one batch: a few seconds). A range the model is
expected to meet must hold; one the file reports the model outside (``outside``, with the
reason) must still be missed, so a change that brings the model inside shows here and the
file is corrected, not left stale. Tolerance: since the month-0 champion ranges gained a
lower bound (one or a few champions where peer work has begun), three means sit close to
an edge at the defaults: on 40 seeds (a review, issue 17) champion share at month 0 0.00314
against 0.002, champions per organisation 0.626 against 0.4, organisations with peers at
year 10 0.472 against 0.45, each about 1.5 to 1.7 standard deviations of a 4-seed mean from
the edge (one 4-seed block in ten fell outside). 16 seeds halve that deviation, putting
each at least 3 from its edge, so the check is not a coin toss. Single seeds fall outside
the month-0 champion ranges often (a quarter of seeds); the ranges are about the sector's
mean.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.core.errors import InputError
from simulation.runs.batch import simulate_batch
from simulation.runs.magnitudes import MEASURES, load_ranges, magnitudes

RANGES = Path(__file__).resolve().parents[2] / "experiments" / "plausible-ranges.toml"
SEEDS = tuple(range(101, 117))


@pytest.fixture(scope="module")
def measured() -> dict[tuple[str, int], float]:
    values: dict[tuple[str, int], list[float]] = {}
    for frame in simulate_batch(120, list(SEEDS)):
        for month in (0, 120):
            for measure, value in magnitudes(frame, 24, month).items():
                values.setdefault((measure, month), []).append(value)
    return {key: float(np.mean(v)) for key, v in values.items()}


def test_every_measure_has_a_sourced_range_at_month_0_and_year_10():
    ranges = load_ranges(RANGES)
    assert {(r.measure, r.month) for r in ranges} == {(m, t) for m in MEASURES for t in (0, 120)}
    assert all(len(r.source) > 40 for r in ranges)


@pytest.mark.parametrize("entry", load_ranges(RANGES), ids=lambda r: f"{r.measure}-{r.month}")
def test_the_default_sector_lies_where_the_ranges_file_says(measured, entry):
    value = measured[entry.measure, entry.month]
    inside = entry.low <= value <= entry.high
    if entry.outside:
        assert not inside, f"{value:.4g} is now inside: drop the 'outside' note of the file"
    else:
        assert inside, f"{value:.4g} outside {entry.low}-{entry.high}"


def test_magnitudes_reads_the_sector_columns():
    frame = pd.DataFrame(
        {
            "peer_workers": [10.0],
            "peer_share": [0.02],
            "orgs_with_peers": [5.0],
            "champions": [25.0],
            "le_leaders": [2.0],
        }
    )
    values = magnitudes(frame, 20, 0)
    assert values == pytest.approx(
        {
            "orgs_with_peers_share": 0.25,
            "peer_share": 0.02,
            "peers_per_employing_org": 2.0,
            "champion_share": 25 / 500,
            "champions_per_org": 1.25,
            "le_leaders_per_org": 0.1,
        }
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[range]]\nmeasure = 'peers'\nmonth = 0\nlow = 0\nhigh = 1\nsource = 's'", "measure"),
        ("[[range]]\nmeasure = 'peer_share'\nmonth = 60\nlow = 0\nhigh = 1\nsource = 's'", "month"),
        ("[[range]]\nmeasure = 'peer_share'\nmonth = 0\nlow = 1\nhigh = 0\nsource = 's'", "low"),
        ("[[range]]\nmeasure = 'peer_share'\nmonth = 0\nlow = 0\nhigh = 1\nsource = ''", "source"),
        (
            "[[range]]\nmeasure = 'peer_share'\nmonth = 0\nlow = 0\nhigh = 1\nsource = 's'\nx = 1",
            "x",
        ),
        ("[[range]", "TOML"),
    ],
)
def test_a_bad_ranges_file_is_a_clear_error(tmp_path, text, words):
    path = tmp_path / "ranges.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=words) as caught:
        load_ranges(path)
    assert str(path) in str(caught.value)


def test_a_ranges_file_that_is_not_toml_is_a_clear_error(tmp_path):
    path = tmp_path / "ranges.toml"
    path.write_text("[[range]")
    with pytest.raises(InputError, match="TOML"):
        load_ranges(path)
