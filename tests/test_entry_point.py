"""The ``lewsim`` entry point: ``python -m simulation`` and a console script that stays cheap.

A pool's workers are started with "spawn", which re-runs the parent's main script in
each worker (as ``__mp_main__``) before its first job. For ``lewsim`` that script is the
console script pip generates from ``[project.scripts]``; it must not import the command
line, or every worker of ``lewsim run`` or ``lewsim sweep`` loads typer and matplotlib.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from simulation import __version__

ROOT = Path(__file__).resolve().parents[1]
OUTER = ("matplotlib", "jinja2", "typer", "simulation.runs", "simulation.outputs", "simulation.cli")


def python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )


def test_a_worker_rerunning_the_console_script_loads_no_outer_layer(tmp_path):
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["lewsim"]
    module, function = entry.split(":")
    script = tmp_path / "lewsim"  # what pip writes for the entry point
    script.write_text(
        f"import sys\nfrom {module} import {function}\n"
        f"if __name__ == '__main__':\n    sys.exit({function}())\n"
    )
    # What multiprocessing's spawn does in each worker before its first job.
    code = (
        "import json, runpy, sys; "
        f"runpy.run_path({str(script)!r}, run_name='__mp_main__'); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    modules = json.loads(python("-c", code).stdout)
    assert "simulation" in modules
    assert [name for name in modules if name.startswith(OUTER)] == []


def test_python_dash_m_simulation_is_the_lewsim_command():
    done = python("-m", "simulation", "--version")
    assert done.stdout.strip() == f"lewsim {__version__}"
    usage = subprocess.run(
        [sys.executable, "-m", "simulation", "sweep"], capture_output=True, text=True, cwd=ROOT
    )
    assert usage.returncode == 2
    assert "Usage: lewsim sweep" in usage.stderr
