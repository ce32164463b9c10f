"""A table of bad inputs a new user may give the command line, each refused cleanly.

Refused cleanly means: exit status 2, no traceback, nothing on stdout, every line on stderr
a ``lewsim COMMAND: error: ...`` message (or click's own usage error, for a value click
itself cannot read) that names the field, and nothing written anywhere. Every case runs in
an empty directory of its own (plus the input files it needs), so a default destination
under ``results/`` would be seen too.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import fuzz_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simulation.cli import app
from simulation.core.parameters import PARAMETER_NAMES, Parameters

runner = CliRunner()

GOOD = 'name = "good"\nsteps = 3\nreplications = 2\n'
OTHER = 'name = "other"\nsteps = 3\nreplications = 2\n'
TINY = ["--steps", "2", "--replications", "1", "--set", "n_orgs=2"]
HUGE_DIGITS = "9" * 5000


#: In a case's files: make a named pipe there.
FIFO = "<named pipe>"


@dataclass(frozen=True)
class Link:
    """In a case's files: a symbolic link to ``target``."""

    target: str


@dataclass
class Case:
    """One bad input.

    Attributes:
        args: The command line after ``lewsim``; ``{dir}`` stands for the case's directory.
        names: What the message must contain (the field or value).
        files: Input files to create first: name -> text (str), bytes, :data:`FIFO` or
            a :class:`Link`.
        usage: Whether click refuses it with its own usage error rather than lewsim.
    """

    args: list[str]
    names: str
    files: dict[str, str | bytes | Link] = field(default_factory=dict)
    usage: bool = False


def scenario(body: str, name: str = "bad") -> dict[str, str]:
    """A scenario file ``bad.toml`` holding ``body`` after a valid name."""
    return {"bad.toml": f'name = "{name}"\n{body}\n'}


def sweep(body: str) -> dict[str, str]:
    """A sweep file ``s.toml``: a valid factorial sweep of one factor, changed by ``body``.

    Top-level ``key = value`` lines of ``body`` replace or add settings; its tables (from its
    first ``[``) replace the default factor. ``NOPARAMS`` leaves the file without factors.
    """
    settings = {"name": '"s"', "design": '"factorial"', "steps": "2", "outputs": '["peer_workers"]'}
    lines = body.splitlines()
    first_table = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
    for line in lines[:first_table]:
        if "=" in line:
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    tables = "\n".join(lines[first_table:]) or "[parameters.board_support]\nlevels = [0.1, 0.9]"
    if "NOPARAMS" in body:
        tables = ""
    head = [f"{key} = {value}" for key, value in settings.items()]
    return {"s.toml": "\n".join([*head, tables]) + "\n"}


def run_set(*assignments: str) -> list[str]:
    """``run`` with the tiny settings and ``--set`` for each assignment."""
    args = ["run", *TINY]
    for assignment in assignments:
        args += ["--set", assignment]
    return args


RUN_OPTIONS = [
    Case(["run", "--steps", "0"], "--steps"),
    Case(["run", "--steps", "-5"], "--steps"),
    Case(["run", "--steps", "1201"], "--steps"),
    Case(["run", "--steps", "10000000"], "1200"),
    Case(["run", "--steps", "abc"], "--steps", usage=True),
    Case(["run", "--steps", "1.5"], "--steps", usage=True),
    Case(["run", "--steps", ""], "--steps", usage=True),
    Case(["run", "--replications", "0"], "--replications"),
    Case(["run", "--replications", "10001"], "--replications"),
    Case(["run", "--replications", "1000000000"], "10000"),
    Case(["run", "--replications", "x"], "--replications", usage=True),
    Case(["run", "--seed", "-1"], "--seed"),
    Case(["run", "--seed", "abc"], "--seed", usage=True),
    Case(["run", "--quiet", "true"], "true"),
    Case(["run", "--force", "yes"], "yes"),
    Case(["run", "--bogus"], "--bogus", usage=True),
    Case(["run", "a.toml", "b.toml"], "b.toml", usage=True),
    Case(["run", "--workers", "2"], "--workers", usage=True),
    Case(["run", "--allow-large=yes"], "--allow-large", usage=True),
    Case(["run", "--set"], "--set", usage=True),
]

SET_FORMS = [
    Case(run_set("n_orgs"), "--set"),
    Case(run_set("=4"), "--set"),
    Case(run_set(""), "--set"),
    Case(run_set(" = "), "--set"),
    Case(run_set("1abc=2"), "1abc"),
    Case(run_set("a-b=1"), "a-b"),
    Case(run_set("n orgs=4"), "n orgs"),
    Case(run_set("n_orgz=4"), "n_orgz"),
    Case(run_set("foo=1"), "foo"),
    Case(run_set("N_ORGS=4"), "N_ORGS"),
    Case(run_set("n_orgs=4"), "n_orgs"),  # also set by TINY: twice
    Case(run_set("__class__=1"), "__class__"),
    Case(run_set("rng=1"), "rng"),
    Case(run_set("seed=1"), "seed"),
    Case(run_set("steps=12"), "steps"),
    Case(run_set("événement=1"), "événement"),
]

# Values refused for each kind of parameter: integer, number, share, boolean, triple, pair.
BAD_VALUES = {
    "mean_org_size": [
        "11.9",
        "5001",
        "true",
        "big",
        "[60]",
        "nan",
        "inf",
        "-inf",
        "1e999",
        HUGE_DIGITS,
        "",
        " ",
        "null",
        "{}",
        "0x10",
        '"60"',
        "60,70",
        "[[60]]",
    ],
    "min_org_size": ["7", "1001", "12.5", "12.0", "true", "[12]", "1_000_000"],
    "pay_parity": ["1.5", "-0.1", "yes", "true", '"0.5"', "0.5,0.5", "[]", "nan", "inf", "[0.5,"],
    "board_support": ["2"],
    "role_clarity": ["-1"],
    "visit_rate": ["1.01"],
    "champion_threshold": ["abc"],
    "hire_threshold": ["[0.1]"],
    "max_peer_share": ["true"],
    "conformity": ["1e9"],
    "peer_attrition": ["-0.0001"],
    "staff_turnover": ["nan"],
    "hidden_le_share": ['"x"'],
    "manager_network": ["1", "0", "yes", '"true"', "[true]", "2.5", "on"],
    "exposure_mix": [
        "0.5,0.5,0.5",
        "[0.5,0.5]",
        "[1,0,0,0]",
        "1",
        "[[0.5],[0.3],[0.2]]",
        '["a","b","c"]',
        "[true,false,false]",
        "[0.5,",
        "[-0.5,1.0,0.5]",
        "[NaN,0.5,0.5]",
        "[1e999,0,0]",
        "[" * 9 + "1" + "]" * 9,
        "[" * 100_000,
        '{"none": 1}',
    ],
    "initial_peer_share": ["[0.1]", "[0.1,0.2,0.3]", "0.1"],
    "policy_pressure": ["1.5", "[0.2,-0.1]", "[]"],
    "sector_degree": ["51", "2.5"],
    "team_size": ["2"],
    "org_size_sigma": ["3"],
    "teams_per_senior": ["0"],
    "contact_effect": ["11"],
    "top_down": ["-1"],
}
# n_orgs is set by TINY, so its bad values go in a run of their own.
BAD_N_ORGS = [
    "0",
    "-1",
    "200001",
    "1.5",
    "4.0",
    "true",
    "false",
    "abc",
    '"4"',
    "[4]",
    "4,5",
    "1e999",
    "nan",
    "inf",
    HUGE_DIGITS,
    "",
    "null",
    "1_000_000",
]

SET_VALUES = [
    Case(run_set(f"{name}={value}"), name)
    for name, values in BAD_VALUES.items()
    for value in values
] + [
    Case(["run", "--steps", "2", "--replications", "1", "--set", f"n_orgs={value}"], "n_orgs")
    for value in BAD_N_ORGS
]

TOO_LARGE = "too large for this machine"
SIZES = [
    Case(["run", "--set", "n_orgs=200000", "--set", "mean_org_size=5000"], TOO_LARGE),
    Case(["run", "--set", "n_orgs=200000", "--set", "mean_org_size=5000"], "n_orgs = 200000"),
    Case(["run", "--set", "n_orgs=200000", "--set", "mean_org_size=5000"], "--allow-large"),
    Case(
        ["run", "bad.toml"],
        TOO_LARGE,
        scenario("[parameters]\nn_orgs = 200000\nmean_org_size = 5000.0"),
    ),
    Case(
        ["compare", "good.toml", "bad.toml"],
        TOO_LARGE,
        {"good.toml": GOOD, **scenario("[parameters]\nn_orgs = 200000\nmean_org_size = 5000.0")},
    ),
    Case(
        ["sweep", "s.toml"],
        TOO_LARGE,
        sweep(
            "[parameters.n_orgs]\nlevels = [2, 200000]\n"
            "[parameters.mean_org_size]\nlevels = [5000.0]"
        ),
    ),
]

SCENARIO_FILES = [
    Case(["run", "missing.toml"], "missing.toml"),
    Case(["run", "{dir}"], "{dir}"),
    Case(["run", "/dev/zero"], "/dev/zero"),
    Case(["run", "/dev/null"], "/dev/null"),
    Case(["run", "empty.toml"], "name", {"empty.toml": ""}),
    Case(["run", "bad.toml"], "bad.toml", {"bad.toml": "name = "}),
    Case(["run", "bad.toml"], "bad.toml", {"bad.toml": b"\xff\xfe\x00\x01garbage"}),
    Case(["run", "bad.toml"], "bad.toml", {"bad.toml": b"name = 'caf\xe9'\n"}),
    Case(["run", "bad.toml"], "colour", scenario("colour = 1")),
    Case(["run", "bad.toml"], "name", {"bad.toml": 'name = "two words"\n'}),
    Case(["run", "bad.toml"], "name", {"bad.toml": "steps = 12\n"}),
    Case(["run", "bad.toml"], "steps", scenario("steps = 0")),
    Case(["run", "bad.toml"], "steps", scenario("steps = 1201")),
    Case(["run", "bad.toml"], "steps", scenario('steps = "12"')),
    Case(["run", "bad.toml"], "steps", scenario("steps = 12.0")),
    Case(["run", "bad.toml"], "steps", scenario("steps = true")),
    Case(["run", "bad.toml"], "line 2", scenario(f"steps = {HUGE_DIGITS}")),
    Case(["run", "bad.toml"], "replications", scenario("replications = 0")),
    Case(["run", "bad.toml"], "replications", scenario("replications = 10001")),
    Case(["run", "bad.toml"], "replications", scenario("replications = 1000000000")),
    Case(["run", "bad.toml"], "seed", scenario("seed = -1")),
    Case(["run", "bad.toml"], "seed", scenario("seed = 1.5")),
    Case(["run", "bad.toml"], "parameters", scenario("parameters = 5")),
    Case(["run", "bad.toml"], "n_orgs", scenario("[parameters]\nn_orgs = true")),
    Case(["run", "bad.toml"], "n_orgs", scenario('[parameters]\nn_orgs = "4"')),
    Case(["run", "bad.toml"], "nope", scenario("[parameters]\nnope = 1")),
    Case(["run", "bad.toml"], "pay_parity", scenario('[parameters]\npay_parity = "0.5"')),
    Case(
        ["run", "bad.toml"],
        "exposure_mix",
        scenario("[parameters]\nexposure_mix = {none = [1], some = 0.0, significant = 0.0}"),
    ),
    Case(["run", "bad.toml"], "pay_parity", scenario("[parameters]\npay_parity = 1979-05-27")),
    Case(["run", "bad.toml"], "nested", scenario("x = " + "[" * 50 + "]" * 50)),
    Case(["run", "bad.toml"], "bad.toml", scenario("x = " + "[" * 5000 + "]" * 5000)),
    Case(["run", "bad.toml"], "MB", scenario("#" + "x" * 1_100_000)),
    Case(["run", "bad.toml"], "type", scenario("[[events]]\nmonth = 1\ntype = 'nope'")),
    Case(
        ["run", "bad.toml"],
        "month",
        scenario("steps = 12\n[[events]]\nmonth = 13\ntype = 'manager_network'"),
    ),
    Case(
        ["run", "bad.toml"], "month", scenario("[[events]]\nmonth = -1\ntype = 'manager_network'")
    ),
    Case(["run", "bad.toml"], "month", scenario("[[events]]\ntype = 'manager_network'")),
    Case(
        ["run", "bad.toml"],
        "orgs",
        scenario(
            "[[events]]\nmonth = 1\ntype = 'appoint_champion'\nlevel = 'executive'\norgs = []"
        ),
    ),
    Case(
        ["run", "bad.toml"],
        "orgs",
        scenario(
            "[[events]]\nmonth = 1\ntype = 'appoint_champion'\nlevel = 'executive'\norgs = [1.7]"
        ),
    ),
    Case(
        ["run", "bad.toml"],
        "orgs",
        scenario(
            "steps = 2\nreplications = 1\n[parameters]\nn_orgs = 2\n[[events]]\nmonth = 1\n"
            "type = 'appoint_champion'\nlevel = 'executive'\norgs = [999]"
        ),
    ),
    Case(["run", "bad.toml"], "events", scenario("events = 5")),
    Case(
        ["run", "bad.toml", "--steps", "3"],
        "month",
        scenario("steps = 24\n[[events]]\nmonth = 12\ntype = 'manager_network'"),
    ),
    Case(["run", "good.toml", "--steps", "1201"], "--steps", {"good.toml": GOOD}),
    Case(["run", "good.toml", "--set", "n_orgs=true"], "n_orgs", {"good.toml": GOOD}),
]

DESTINATIONS = [
    Case([*run_set(), "--out", "mine"], "--out", {"mine/notes.txt": "mine"}),
    Case([*run_set(), "--out", "mine", "--force"], "--out", {"mine/notes.txt": "mine"}),
    Case([*run_set(), "--out", "x.txt/sub"], "x.txt", {"x.txt": "a file"}),
    Case([*run_set(), "--out", "a" * 300], "--out"),
    Case([*run_set(), "--out", "/proc/x"], "/proc/x"),
    Case([*run_set(), "--out", "x.txt"], "x.txt", {"x.txt": "a file"}),
    Case([*run_set(), "--out", ""], "--out", {"x.txt": "a file"}),
    Case([*run_set(), "--out", "/dev/null"], "/dev/null"),
    Case(["validate", "--quick", "--out", "x.txt/sub"], "x.txt", {"x.txt": "a file"}),
    Case(
        ["compare", "good.toml", "other.toml", "--out", "x.txt"],
        "x.txt",
        {"good.toml": GOOD, "other.toml": OTHER, "x.txt": "a file"},
    ),
]

COMPARE = [
    Case(["compare", "good.toml"], "baseline", {"good.toml": GOOD}),
    Case(["compare", "good.toml", "good.toml"], "good", {"good.toml": GOOD}),
    Case(["compare", "good.toml", "missing.toml"], "missing.toml", {"good.toml": GOOD}),
    Case(
        ["compare", "good.toml", "bad.toml"], "steps", {"good.toml": GOOD, **scenario("steps = 0")}
    ),
    *[
        Case(
            ["compare", "good.toml", "other.toml", "--months", months],
            "--months" if usage_name is None else usage_name,
            {"good.toml": GOOD, "other.toml": OTHER},
        )
        for months, usage_name in [
            ("abc", None),
            ("0,9999", "9999"),
            ("-1", "-1"),
            ("", None),
            ("1.5", None),
            ("3,", None),
        ]
    ],
    Case(
        ["compare", "good.toml", "other.toml", "--workers", "0"],
        "--workers",
        {"good.toml": GOOD, "other.toml": OTHER},
    ),
    Case(
        ["compare", "good.toml", "other.toml", "--workers", "1000"],
        "--workers",
        {"good.toml": GOOD, "other.toml": OTHER},
    ),
    Case(
        ["compare", "good.toml", "other.toml", "--workers", "abc"],
        "--workers",
        {"good.toml": GOOD, "other.toml": OTHER},
        usage=True,
    ),
    Case(["compare"], "SCENARIO", usage=True),
]

VALIDATE = [
    Case(["validate", "--seeds", "1"], "--seeds"),
    Case(["validate", "--seeds", "0"], "--seeds"),
    Case(["validate", "--seeds", "10001"], "--seeds"),
    Case(["validate", "--seeds", "1000000000"], "--seeds"),
    Case(["validate", "--seeds", "abc"], "--seeds", usage=True),
    Case(["validate", "--pattern", "0"], "--pattern"),
    Case(["validate", "--pattern", "11"], "--pattern"),
    Case(["validate", "--pattern", "abc"], "--pattern", usage=True),
    Case(["validate", "--seed", "-1"], "--seed"),
    Case(["validate", "--workers", "0"], "--workers"),
    Case(["validate", "--workers", "99"], "--workers"),
    Case(["validate", "--quick", "true"], "true", usage=True),
    Case(["validate", "--strict", "1"], "1", usage=True),
]

SWEEPS = [
    Case(["sweep", "missing.toml"], "missing.toml"),
    Case(["sweep", "{dir}"], "{dir}"),
    Case(["sweep", "s.toml"], "s.toml", {"s.toml": "name = "}),
    Case(["sweep", "s.toml"], "design", sweep('design = "nope"')),
    Case(["sweep", "s.toml"], "parameters", sweep("NOPARAMS")),
    Case(
        ["sweep", "s.toml"],
        "range",
        sweep('design = "lhs"\nsamples = 4\n[parameters.board_support]\nrange = [0.9, 0.1]'),
    ),
    Case(["sweep", "s.toml"], "nope", sweep("[parameters.nope]\nlevels = [1, 2]")),
    Case(["sweep", "s.toml"], "steps", sweep("steps = 1201")),
    Case(["sweep", "s.toml"], "replications", sweep("replications = 0")),
    Case(
        ["sweep", "s.toml"],
        "samples",
        sweep('design = "lhs"\nsamples = 0\n[parameters.board_support]\nrange = [0.1, 0.9]'),
    ),
    Case(
        ["sweep", "s.toml"],
        "1,000,000",
        sweep(
            'design = "lhs"\nsamples = 100000\nreplications = 11\n'
            "[parameters.board_support]\nrange = [0.1, 0.9]"
        ),
    ),
    Case(["sweep", "s.toml"], "nope", sweep('outputs = ["nope"]')),
    Case(["sweep", "s.toml"], "name", sweep('name = "a/b"')),
    Case(["sweep", "s.toml"], "pay_parity", sweep("[parameters.pay_parity]\nlevels = [0.5, 1.5]")),
    Case(["sweep", "s.toml", "--workers", "99"], "--workers", sweep("")),
    Case(["sweep", "s.toml", "--scheduler", "bad"], "--scheduler", sweep("")),
    Case(
        ["sweep", "s.toml", "--scheduler", "tcp://x:1", "--dask-local", "2"],
        "--scheduler",
        sweep(""),
    ),
]

#: Model parameters that take a number (any 35 of them make a large design).
NUMBERS = [name for name, spec in Parameters.model_fields.items() if type(spec.default) is float]


def factors(count: int, table: str) -> str:
    """``count`` factors of numeric parameters, each with the same ``table`` body."""
    return "".join(f"[parameters.{name}]\n{table}\n" for name in NUMBERS[:count])


#: Issue 16: sizes counted before the design is built; Dask options checked first.
SWEEP_SIZES = [
    Case(["sweep", "s.toml"], "4,294,967,296", sweep(factors(32, "levels = [0.1, 0.2]"))),
    Case(
        ["sweep", "s.toml", "--dry-run"],
        "4,294,967,296",
        sweep(factors(32, "levels = [0.1, 0.2]")),
    ),
    Case(
        ["sweep", "s.toml"],
        "2,424,832 runs",
        sweep('design = "sobol"\nsamples = 65536\n' + factors(35, "range = [0.1, 0.2]")),
    ),
    Case(
        ["sweep", "s.toml", "--dry-run"],
        "1,000,000",
        sweep('design = "morris"\nsamples = 100000\n' + factors(10, "range = [0.1, 0.2]")),
    ),
    Case(
        ["sweep", "s.toml"],
        "1,000,000",
        sweep("replications = 10000\n[parameters.board_support]\nlevels = " + str([0.5] * 101)),
    ),
    Case(
        ["sweep", "s.toml"],
        "'peer_workers' is listed twice",
        sweep('outputs = ["peer_workers", "peer_workers"]'),
    ),
    Case(["sweep", "s.toml", "--dask-local", "0"], "--dask-local must be", sweep("")),
    Case(["sweep", "s.toml", "--dask-local", "999"], "--dask-local 999", sweep("")),
    Case(
        ["sweep", "s.toml", "--scheduler", "tcp://127.0.0.1:1"],
        "the scheduler cannot be reached",
        sweep(""),
    ),
    Case(["sweep", "s.toml", "--scheduler", "tcp://:8786"], "no host", sweep("")),
    Case(["sweep", "s.toml", "--scheduler", "tcp://h:99999"], "--scheduler", sweep("")),
    Case(
        ["sweep", "s.toml", "--out", "link"],
        "link: a symbolic link",
        {**sweep(""), "real/keep.txt": "mine", "link": Link("real")},
    ),
    Case(
        ["sweep", "s.toml", "--out", "d"],
        "'keep.txt'",
        {**sweep(""), "d/keep.txt": "mine", "d/.sweep.lock": "123"},
    ),
    Case(
        ["analyze", "link"], "link: a symbolic link", {"real/keep.txt": "x", "link": Link("real")}
    ),
    Case(["export", "mine"], "mine", {"mine/manifest.json": '{"format": "lewsim-results/1"}'}),
    Case(["analyze", "mine"], "mine", {"mine/manifest.json": FIFO}),
]

ODD_PLACES = [
    Case([*run_set(), "--out", "a\x00b"], "--out", usage=True),
    Case(["run", "a\x00b.toml"], "SCENARIO", usage=True),
    Case(run_set("pay_parity=0.5\x00"), "pay_parity"),
    Case(["run", "p.toml"], "p.toml", {"p.toml": FIFO}),
    Case(
        ["run", "loop1.toml"],
        "loop1.toml",
        {"loop1.toml": Link("loop2.toml"), "loop2.toml": Link("loop1.toml")},
    ),
    Case(["run", "gone.toml"], "gone.toml", {"gone.toml": Link("nowhere.toml")}),
    Case(["run", "x" * 5000 + ".toml"], "xxxx"),
    Case(run_set("pay_parity=" + "x" * 100_000), "100,000 characters"),
    Case([*run_set(), "--out", "x" * 5000], "--out"),
    Case([*run_set(), "--out", "d/" * 3000 + "x"], "--out"),
    Case(["validate", "--out", "/dev/null"], "/dev/null"),
    Case(["validate", "--pattern", "9" * 30], "--pattern"),
    Case(["run", "--steps", "9" * 30], "--steps"),
    Case(
        ["compare", "good.toml", "other.toml", "--months", "9" * 5000],
        "--months",
        {"good.toml": GOOD, "other.toml": OTHER},
    ),
    Case(
        ["compare", "good.toml", "other.toml", "good.toml"],
        "good",
        {"good.toml": GOOD, "other.toml": OTHER},
    ),
    Case(["params", "nope_name"], "nope_name"),
    Case(["analyze", "/dev/null"], "/dev/null"),
    Case(["export", "good.toml"], "good.toml", {"good.toml": GOOD}),
]

OTHERS = [
    Case(["params", "--bogus"], "--bogus", usage=True),
    Case(["analyze", "missing"], "missing"),
    Case(["analyze", "mine"], "mine", {"mine/notes.txt": "mine"}),
    Case(["export", "missing"], "missing"),
    Case(["nonsense"], "nonsense", usage=True),
]


def posterior_run(path: str) -> list[str]:
    """``run`` with the tiny settings and ``--posterior-file path``."""
    return ["run", *TINY, "--posterior-file", path]


#: A posterior file a little over the largest read (10 MB): rows of equal draws.
HUGE_POSTERIOR = "weight,board_support\n" + "1,0.5\n" * 1_700_000

POSTERIOR_FILES = [
    Case(posterior_run("/dev/zero"), "posterior file /dev/zero: is not a regular file"),
    Case(posterior_run("p.csv"), "posterior file p.csv: is not a regular file", {"p.csv": FIFO}),
    Case(posterior_run("{dir}"), "{dir}: is a directory, not a posterior file"),
    Case(posterior_run("big.csv"), "larger than 10 MB", {"big.csv": HUGE_POSTERIOR}),
    Case(posterior_run("none.csv"), "none.csv: no such posterior file"),
    Case(
        posterior_run("loop.csv"),
        "loop.csv",
        {"loop.csv": Link("loop2.csv"), "loop2.csv": Link("loop.csv")},
    ),
    Case(posterior_run("p.csv"), "p.csv: is not UTF-8", {"p.csv": b"weight\n\xff\xfe\n"}),
    Case(posterior_run("p.csv"), "cannot be read as CSV", {"p.csv": ""}),
    Case(posterior_run("p.csv"), "no draws", {"p.csv": "weight,board_support\n"}),
    Case(posterior_run("p.csv"), "cannot be read as CSV", {"p.csv": "weight\n1\n1,2,3\n"}),
    Case(posterior_run("p.csv"), "column 'weight' twice", {"p.csv": "weight,weight\n1,1\n"}),
    Case(
        posterior_run("p.csv"),
        "301 columns, more than there are parameters",
        {"p.csv": "weight," + ",".join(f"c{i}" for i in range(300)) + "\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'n_orgs', row 2: 4.5 is not a whole number",
        {"p.csv": "weight,n_orgs\n1,4\n1,4.5\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'board_support', row 1: 'nan' is not a finite number",
        {"p.csv": "weight,board_support\n1,nan\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "row 1: '-inf' is not a finite number",
        {"p.csv": "weight,board_support\n1,-inf\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'board_support', row 1: an empty cell is not a finite number",
        {"p.csv": "weight,board_support\n1,\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'board_support', row 1: 5.0 is not allowed; allowed: a number between 0 and 1",
        {"p.csv": "weight,board_support\n1,5\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'n_orgs', row 1: 0 is not allowed",
        {"p.csv": "weight,n_orgs\n1,0\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'n_orgs', row 1: 1e+300 is not allowed",
        {"p.csv": "weight,n_orgs\n1,1e300\n"},
    ),
    Case(posterior_run("p.csv"), "unknown column '=cmd()'", {"p.csv": "weight,=cmd()\n1,1\n"}),
    Case(posterior_run("z.csv"), "z.csv: is not a regular file", {"z.csv": Link("/dev/zero")}),
    Case(
        posterior_run("p.csv"),
        "column 'manager_network', row 1: 1.0 is not allowed; allowed: true or false",
        {"p.csv": "weight,manager_network\n1,1\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'exposure_mix', row 1: 0.5 is not allowed; allowed: three shares",
        {"p.csv": "weight,exposure_mix\n1,0.5\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "'0x10' is not a finite number",
        {"p.csv": "weight,board_support\n1,0x10\n"},
    ),
    Case(
        posterior_run("p.csv"),
        "column 'weight' has a negative value or sums to 0",
        {"p.csv": "weight,board_support\n0,0.5\n0,0.4\n"},
    ),
    Case(
        ["compare", "good.toml", "other.toml", "--posterior-file", "/dev/zero"],
        "/dev/zero",
        {"good.toml": GOOD, "other.toml": OTHER},
    ),
]

#: A scenario whose two events share the label "champ".
TWO_CHAMPS = scenario(
    "[[events]]\nmonth = 1\ntype = 'manager_network'\nlabel = 'champ'\n"
    "[[events]]\nmonth = 2\ntype = 'manager_network'\nlabel = 'champ'"
)["bad.toml"]

SCENARIO_EXTRAS = [
    Case(
        ["sweep", "s.toml", "--dry-run"],
        'bad.toml: events[1].label = "champ": also the label of events[0]',
        {
            **sweep('scenario = "bad.toml"\n[parameters."events.champ.month"]\nlevels = [1, 2]'),
            "bad.toml": TWO_CHAMPS,
        },
    ),
    Case(["run", "z.toml"], "z.toml: is not a regular file", {"z.toml": Link("/dev/zero")}),
    Case(
        ["run", "bad.toml"],
        'bad.toml: events[1].label = "champ": also the label of events[0]',
        {"bad.toml": TWO_CHAMPS},
    ),
    Case(
        ["run", "bad.toml"],
        'events[0].label = "1": digits alone',
        scenario("[[events]]\nmonth = 1\ntype = 'manager_network'\nlabel = '1'"),
    ),
]

CASES = [
    *RUN_OPTIONS,
    *SET_FORMS,
    *SET_VALUES,
    *SIZES,
    *SCENARIO_FILES,
    *DESTINATIONS,
    *COMPARE,
    *VALIDATE,
    *SWEEPS,
    *SWEEP_SIZES,
    *ODD_PLACES,
    *OTHERS,
    *POSTERIOR_FILES,
    *SCENARIO_EXTRAS,
]


def snapshot(directory: Path) -> dict[str, int]:
    """Every path under ``directory`` with its size (directories as -1)."""
    return {
        str(path.relative_to(directory)): path.lstat().st_size if path.is_file() else -1
        for path in sorted(directory.rglob("*"))
    }


def case_id(case: Case) -> str:
    text = " ".join(case.args).replace("\n", " ")
    return text if len(text) <= 70 else text[:67] + "..."


@contextmanager
def memory_guard(headroom: int = 4 * 2**30) -> Iterator[None]:
    """Cap this process's address space at its size plus ``headroom`` while a case runs.

    Some cases ask for a sector of a billion staff; should one get past the memory check,
    it fails here with a MemoryError instead of taking the machine's memory.
    """
    try:
        import resource

        size_kib = next(
            int(line.split()[1])
            for line in Path("/proc/self/status").read_text().splitlines()
            if line.startswith("VmSize:")
        )
    except (ImportError, OSError, StopIteration):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size_kib * 1024 + headroom
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_a_bad_input_is_refused_cleanly(case, tmp_path, monkeypatch):
    for name, content in case.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is FIFO:
            os.mkfifo(path)
        elif isinstance(content, Link):
            path.symlink_to(content.target)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    args = [arg.replace("{dir}", str(tmp_path)) for arg in case.args]

    with memory_guard():
        result = runner.invoke(app, args)

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    command = args[0]
    if case.usage:  # click's format: "Usage: ..." (mostly) and "Error: ..." in a box
        assert any("Error: " in line for line in lines), result.stderr
    else:
        assert lines, "no message"
        assert all(line.startswith(f"lewsim {command}: error: ") for line in lines), result.stderr
        assert "Traceback" not in result.stderr
    assert case.names.replace("{dir}", str(tmp_path)) in result.stderr
    assert snapshot(tmp_path) == before


def test_the_table_is_broad():
    assert len(CASES) >= 150
    assert {case.args[0] for case in CASES} >= {"run", "compare", "validate", "sweep", "params"}


# ---- fuzzing --set ---------------------------------------------------------------------

NAMES = st.one_of(st.sampled_from(PARAMETER_NAMES), st.text(max_size=20))
SCALARS = st.one_of(
    st.integers(-5, 5), st.floats(0, 1), st.booleans(), st.text(max_size=3), st.none()
)
VALUES = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(min_value=10**18).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30),
    st.sampled_from(
        [
            "true",
            "FALSE",
            "yes",
            "",
            " ",
            "[]",
            "null",
            "1e999",
            "nan",
            "-inf",
            "0x10",
            "1_0",
            "9" * 5000,
            "[" * 3000,
            "[" * 9 + "]" * 9,
            '"0.5"',
            "0.5,0.3,0.2",
            "0.5,,0.2",
            "é",
        ]
    ),
    st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=12).map(json.dumps),
    st.lists(st.floats(-1, 2), min_size=1, max_size=4).map(lambda xs: ",".join(map(str, xs))),
)


@pytest.mark.slow
@settings(
    max_examples=fuzz_examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(name=NAMES, value=VALUES)
def test_any_set_value_runs_or_is_refused_cleanly(name, value):
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "out"
        args = [*run_set(f"{name}={value}"), "--quiet", "--out", str(out)]
        with memory_guard():
            result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert result.stderr.startswith("lewsim run: error: "), result.stderr
            assert "Traceback" not in result.stderr
            assert not out.exists()
            assert list(Path(directory).iterdir()) == []
        else:
            assert (out / "manifest.json").is_file()
