"""The package's layers, as a user meets them: ``import simulation`` loads the core only.

The direction of imports between layers is checked by import-linter (``lint-imports``,
the contract in pyproject.toml), which ``make test`` runs before pytest.
"""

from __future__ import annotations

import json
import subprocess
import sys

OUTER = ("matplotlib", "jinja2", "typer", "simulation.runs", "simulation.outputs", "simulation.cli")


def loaded_after(statement: str) -> list[str]:
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_importing_the_package_loads_no_outer_layer():
    modules = loaded_after("import simulation")
    outer = [name for name in modules if name.split(".")[0] in OUTER or name.startswith(OUTER)]
    assert outer == []


def test_runs_layer_names_load_on_first_use():
    modules = loaded_after("import simulation; simulation.Scenario")
    assert "simulation.runs.scenarios" in modules
    assert "matplotlib" not in modules
