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
