"""experiments/diagnose_start_2017.py: the default run beside the hindcast from July 2017."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "experiments" / "diagnose_start_2017.py"


def test_both_runs_are_read_from_their_own_july_2017(capsys):
    spec = importlib.util.spec_from_file_location("diagnose_start_2017", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--seeds", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "July 2017 onwards, 2 seeds, the defaults"
    hindcast, default = lines[1], lines[3]
    assert hindcast.lstrip().startswith("hindcast from 2011")
    assert default.lstrip().startswith("default run from 2017")
    # Both are read at July 2017 of the same sector: their staff agree.
    staff = [float(line.split("staff ")[1].split(",")[0]) for line in (lines[2], lines[4])]
    assert abs(staff[0] - staff[1]) / staff[1] < 0.05
