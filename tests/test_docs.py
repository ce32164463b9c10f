"""docs/ODD.md stays in step with the code.

The ODD document must list every model parameter with its default exactly as Python prints
it, name the monthly processes in the order the model runs them, and define every output
column. Markdown tables are read cell by cell: a parameter row is
``| `name` | `repr(default)` | ... |`` inside section 10.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation import SECTOR_COLUMNS, Parameters, SectorModel
from simulation.core.environment import NATIONAL_HISTORY
from simulation.core.interventions import INTERVENTION_TYPES
from simulation.core.processes import MONTHLY_PROCESSES
from simulation.core.reporters import ORG_COLUMNS
from simulation.core.state import POWER, Kind

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
SWEEPS = ODD.parents[1] / "experiments" / "sweeps"
PROCESS_NAMES = [process.__name__ for process in MONTHLY_PROCESSES]


def sections(text: str) -> dict[int, str]:
    """Split the document into its numbered top-level sections (``## 3. Title``)."""
    parts = re.split(r"^## (\d+)\. .*$", text, flags=re.MULTILINE)
    return {int(number): body for number, body in zip(parts[1::2], parts[2::2], strict=True)}


def table_rows(text: str) -> list[list[str]]:
    """The cells of every Markdown table row in ``text`` (header rows included)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") or re.fullmatch(r"\|[\s|:-]+\|", line):
            continue
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def code(value: object) -> str:
    """How the document writes a name or a default: Python's ``repr`` in backticks."""
    return f"`{value!r}`" if not isinstance(value, str) else f"`{value}`"


@pytest.fixture(scope="module")
def odd() -> dict[int, str]:
    assert ODD.is_file(), "docs/ODD.md is missing"
    found = sections(ODD.read_text(encoding="utf-8"))
    assert set(range(1, 13)) <= set(found), f"sections found: {sorted(found)}"
    return found


@pytest.mark.parametrize(
    ("default", "cell"),
    [(0.025, "`0.025`"), (0.3, "`0.3`"), (60.0, "`60.0`"), (24, "`24`"), (False, "`False`")]
    + [((0.55, 0.3, 0.15), "`(0.55, 0.3, 0.15)`"), ((0.62, 10.0), "`(0.62, 10.0)`")],
)
def test_defaults_are_written_as_python_prints_them(default, cell):
    row = table_rows(f"| `name` | {cell} | unit | meaning | source |")[0]
    assert row[1] == code(default)


def test_every_parameter_has_one_row_with_its_default(odd):
    rows = {}
    for row in table_rows(odd[10]):
        rows.setdefault(row[0], []).append(row)
    for name, field in Parameters.model_fields.items():
        found = rows.get(code(name), [])
        assert len(found) == 1, f"{name}: {len(found)} rows in section 10 (want exactly 1)"
        assert found[0][1] == code(field.default), (
            f"{name}: the document says {found[0][1]}, the code's default is {field.default!r}"
        )
        assert len(found[0]) == 5 and all(found[0][2:]), f"{name}: row has empty cells"


def test_parameter_table_names_no_unknown_parameter(odd):
    named = {row[0] for row in table_rows(odd[10]) if re.fullmatch(r"`\w+`", row[0])}
    known = {code(name) for name in Parameters.model_fields}
    assert named <= known, f"not parameters of the code: {sorted(named - known)}"


def test_process_table_lists_the_processes_in_order(odd):
    rows = [row for row in table_rows(odd[3]) if row[0].isdigit()]
    assert [int(row[0]) for row in rows] == list(range(1, len(PROCESS_NAMES) + 1))
    assert [row[2] for row in rows] == [code(name) for name in PROCESS_NAMES]


def test_process_equations_follow_the_running_order(odd):
    headings = re.findall(r"^\*\*(\d+)\. `(\w+)`\.\*\*", odd[3], flags=re.MULTILINE)
    assert [name for _, name in headings] == PROCESS_NAMES
    assert [int(number) for number, _ in headings] == list(range(1, len(PROCESS_NAMES) + 1))


def test_submodels_follow_the_running_order(odd):
    headings = re.findall(r"^### 7\.(\d+) .*\(`(\w+)`\)\s*$", odd[7], flags=re.MULTILINE)
    assert [name for _, name in headings] == PROCESS_NAMES
    assert [int(number) for number, _ in headings] == list(range(1, len(PROCESS_NAMES) + 1))


@pytest.mark.parametrize(("columns", "label"), [(SECTOR_COLUMNS, "sector"), (ORG_COLUMNS, "org")])
def test_every_output_column_is_defined(odd, columns, label):
    defined = {row[0] for row in table_rows(odd[9]) if len(row) == 2 and row[1]}
    missing = [column for column in columns if code(column) not in defined]
    assert not missing, f"{label} columns without a definition in section 9: {missing}"


def test_sector_columns_are_listed_in_the_code_order(odd):
    rows = [row[0] for row in table_rows(odd[9])]
    positions = [rows.index(code(column)) for column in SECTOR_COLUMNS]
    assert positions == sorted(positions)


def test_power_table_matches_the_code(odd):
    labels = {
        "executive": Kind.EXECUTIVE,
        "LE leader (peer leader)": Kind.PEER_LEADER,
        "senior manager": Kind.SENIOR,
        "team leader": Kind.TEAM_LEADER,
        "clinician": Kind.CLINICIAN,
        "peer worker": Kind.PEER_WORKER,
    }
    table = {row[0]: row[1] for row in table_rows(odd[2]) if row[0] in labels}
    assert set(table) == set(labels)
    for label, kind in labels.items():
        assert float(table[label]) == POWER[kind], f"power of {label}"


def test_every_intervention_is_described(odd):
    described = {row[0] for row in table_rows(odd[6])}
    missing = [name for name in INTERVENTION_TYPES if code(name) not in described]
    assert not missing, f"interventions missing from section 6: {missing}"


# ---- the project code the helpers above stand for --------------------------------------------


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("exposure_decay", "`0.02`"),
        ("board_support", "`0.3`"),
        ("mean_org_size", "`197.0`"),
        ("n_orgs", "`24`"),
        ("manager_network", "`False`"),
        ("exposure_mix", "`(0.55, 0.3, 0.15)`"),
        ("disclosure_threshold", "`(0.62, 10.0)`"),
    ],
)
def test_real_defaults_are_written_as_python_prints_them(odd, name, cell):
    default = Parameters.model_fields[name].default
    assert cell == f"`{default!r}`"  # the code's default, spelled as Python prints it
    rows = [row for row in table_rows(odd[10]) if row[0] == code(name)]
    assert [row[1] for row in rows] == [cell]


def test_the_documented_processes_are_those_a_step_runs_in_that_order():
    # Recorded from the calls a step makes, not read from the list the model iterates.
    model = SectorModel(rng=1, n_orgs=2)
    step_code = SectorModel.step.__code__
    called: list[str] = []

    def record(frame, event, _arg):
        if event == "call" and frame.f_back is not None and frame.f_back.f_code is step_code:
            called.append(frame.f_code.co_name)

    sys.setprofile(record)
    try:
        model.step()
    finally:
        sys.setprofile(None)
    assert called == PROCESS_NAMES


def test_the_documented_columns_are_those_a_run_outputs():
    model = SectorModel(rng=1, n_orgs=2)
    model.step()
    assert tuple(model.sector_frame().columns) == SECTOR_COLUMNS
    assert set(ORG_COLUMNS) <= set(model.org_table().columns)
    assert set(model.org_table().columns) - set(ORG_COLUMNS) == {"month", "org"}


def test_the_readme_layout_names_every_module_in_its_folder():
    root = ODD.parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    # Each line of the tree: its indent says how deep it is; a name ending in / is a folder.
    listed: set[str] = set()
    folders: list[str] = []
    for line in layout.splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip())) // 2
        names = line.split("  ", 1)[0].strip() if depth == 0 else line.strip().split("   ")[0]
        folders = folders[:depth]
        for name in (part.strip() for part in names.split(",")):
            if name.endswith("/"):
                folders.append(name.rstrip("/"))
            elif name.endswith(".py"):
                listed.add("/".join([*folders, name]))
    package = root / "simulation"
    modules = {
        path.relative_to(root).as_posix()
        for path in package.rglob("*.py")
        if path.name != "__init__.py" or path.parent == package
    }
    assert sorted(modules - listed) == []


def test_the_national_history_table_is_the_codes():
    # The ODD's table of the funding envelope and policy pressure by financial year
    # (section 6.1) quotes NATIONAL_HISTORY to four significant figures; a recalibrated
    # envelope growth moves the envelope, and the table must follow.
    rows = {row[0]: row for row in table_rows(sections(ODD.read_text(encoding="utf-8"))[6])}
    years = [int(cell.strip("*+")) for cell in rows["financial year"][1:-1]]
    for label, name in (
        ("funding envelope", "funding_envelope"),
        ("policy pressure", "policy_pressure"),
    ):
        cells = [float(cell.strip("*")) for cell in rows[label][1:-1]]
        expected = [float(f"{NATIONAL_HISTORY[name][year]:.4g}") for year in years]
        assert cells == expected, label


def test_the_screen_table_is_the_committed_screens_summary(odd):
    # Section 10.3 tabulates the Morris screen of experiments/sweeps/morris-all.toml as
    # morris_screen.py summarised it (--summary); the disposition column is prose.
    summary = pd.read_csv(SWEEPS / "morris-all-summary.csv")
    rows = table_rows(odd[10])
    head = ["rank", "parameter", "score, month 120", "on", "largest, any month", "flag"]
    start = next(i for i, row in enumerate(rows) if row[:6] == head) + 1
    table = list(itertools.takewhile(lambda row: len(row) == len(head) + 1, rows[start:]))
    table = [row[:6] for row in table]  # every row of the table, however many
    expected = [
        [
            str(rank),
            f"`{row.factor}`",
            f"{row.max_norm_steady:.3f}",
            row.top_output,
            f"{row.max_norm_any_month:.3f}",
            f"**{row.flag}**" if row.flag == "inert" else row.flag,
        ]
        for rank, row in enumerate(summary.itertuples(), start=1)
    ]
    assert table == expected
    # The indices behind it are the same screen's.
    indices = pd.read_csv(SWEEPS / "morris-all-results.csv")
    assert set(indices["factor"]) == set(summary["factor"])
