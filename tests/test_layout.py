"""Package layout: the model never imports the CLI, outputs, runs, plots or the app."""

from __future__ import annotations

import ast
from pathlib import Path

import simulation

PACKAGE = Path(simulation.__file__).parent
MODEL_MODULES = (
    "agents",
    "interventions",
    "model",
    "parameters",
    "processes",
    "reporters",
    "sector",
    "state",
    "streams",
)
OUTER_MODULES = {
    "cli",
    "output",
    "plots",
    "experiments",
    "app",
    "scenarios",
    "sweeps",
    "reports",
    "calibration",
    "validation",
    "validation_report",
    "comparison",
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_model_modules_import_nothing_from_the_outer_layers():
    for module in MODEL_MODULES:
        imports = imported_modules(PACKAGE / f"{module}.py")
        outward = {name for name in imports if name.split(".")[-1] in OUTER_MODULES}
        assert not outward, f"simulation/{module}.py imports {outward}"


def test_every_module_is_classified():
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules <= set(MODEL_MODULES) | OUTER_MODULES
