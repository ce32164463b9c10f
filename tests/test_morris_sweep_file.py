"""experiments/sweeps/morris-all.toml is what experiments/make_morris_all.py writes today.

The screen's sweep file is generated from the parameters (every field but ``n_orgs``,
ranges around each default), so a new parameter or a recalibrated default must reach it;
the committed file had missed both once (issue 17: ``first_hire_understanding`` was not
screened and ranges sat around defaults of two calibrations before).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "make_morris_all.py"
COMMITTED = ROOT / "experiments" / "sweeps" / "morris-all.toml"


def test_the_committed_morris_sweep_is_the_generators_output(tmp_path):
    spec = importlib.util.spec_from_file_location("make_morris_all", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = tmp_path / "morris-all.toml"
    module.main(["--out", str(fresh)])
    assert fresh.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        "experiments/sweeps/morris-all.toml is stale: run python experiments/make_morris_all.py"
    )


SUMMARY = ROOT / "experiments" / "sweeps" / "morris-all-summary.csv"
RESULTS = ROOT / "experiments" / "sweeps" / "morris-all-results.csv"
ODD = ROOT / "docs" / "ODD.md"


def test_the_odds_screen_table_is_the_committed_screens_summary():
    # docs/ODD.md section 10.3 tabulates the screen of experiments/sweeps/morris-all.toml
    # as morris_screen.py summarised it (--summary); the disposition column is prose.
    import pandas as pd

    summary = pd.read_csv(SUMMARY)
    text = ODD.read_text(encoding="utf-8")
    head = "| rank | parameter | score, month 120 | on | largest, any month | flag | disposition |"
    table = text[text.index(head) :].split("\n\n", 1)[0].splitlines()[2:]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in table]
    assert len(cells) == len(summary)
    for rank, (row, got) in enumerate(zip(summary.itertuples(), cells, strict=True), start=1):
        flag = f"**{row.flag}**" if row.flag == "inert" else row.flag
        expected = [
            str(rank),
            f"`{row.factor}`",
            f"{row.max_norm_steady:.3f}",
            row.top_output,
            f"{row.max_norm_any_month:.3f}",
            flag,
        ]
        assert got[:6] == expected, f"ODD 10.3, rank {rank}"
    # The indices behind it are the same screen's: one row per factor and output.
    indices = pd.read_csv(RESULTS)
    assert set(indices["factor"]) == set(summary["factor"])
