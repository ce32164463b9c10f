"""``lewsim params``: every parameter with its default, range, unit and meaning."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.cli.assignments import parse_value
from simulation.core.parameters import PARAMETER_NAMES, UNITS, Parameters, validate_parameters

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["params", *args])


def test_every_parameter_has_a_unit():
    assert list(UNITS) == list(PARAMETER_NAMES)
    assert all(UNITS.values())


def test_the_table_lists_every_parameter_once_with_its_columns():
    result = invoke()
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["name", "default", "range", "unit", "meaning"]
    assert [line.split()[0] for line in lines] == list(PARAMETER_NAMES)
    # Aligned: every column starts where its header does.
    for column in ("default", "range", "unit", "meaning"):
        start = header.index(column)
        assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines)
    row = next(line for line in lines if line.startswith("n_orgs "))
    assert row.split()[1:5] == ["24", "integer", "1", "to"]
    assert "organisations" in row and "Organisations in the sector." in row


def test_json_records_match_the_parameters():
    result = invoke("--json")
    assert result.exit_code == 0, result.output
    records = {record["name"]: record for record in json.loads(result.stdout)}
    assert list(records) == list(PARAMETER_NAMES)
    for name, field in Parameters.model_fields.items():
        record = records[name]
        default = field.default
        assert record["default"] == (list(default) if isinstance(default, tuple) else default)
        assert record["meaning"] == field.description
        assert record["unit"] == UNITS[name]
    assert records["n_orgs"] | {"meaning": ""} == {
        "name": "n_orgs",
        "default": 24,
        "type": "integer",
        "minimum": 1,
        "maximum": 200_000,
        "range": "integer 1 to 200000",
        "unit": "organisations",
        "meaning": "",
        "org_lever": False,
        "setup_only": True,
    }
    assert records["disclosure_threshold"]["minimum"] == [0.0, 1.0]
    assert records["disclosure_threshold"]["maximum"] == [1.0, 1000.0]
    assert records["manager_network"]["type"] == "boolean"
    assert records["pay_parity"]["org_lever"] is True


def test_the_bounds_shown_are_the_ones_enforced():
    records = json.loads(invoke("--json").stdout)
    for record in records:
        if record["type"] not in ("integer", "number"):
            continue
        name, low, high = record["name"], record["minimum"], record["maximum"]
        validate_parameters({name: low})
        validate_parameters({name: high})
        for outside in (low - 1, high + 1):
            with pytest.raises(ValueError, match=name):
                validate_parameters({name: outside})


def test_each_default_is_shown_as_set_accepts_it():
    lines = invoke().stdout.splitlines()[1:]
    for line in lines:
        name, default = line.split()[:2]
        assert validate_parameters({name: parse_value(default)}) == Parameters(), name


def test_a_name_filter_and_its_did_you_mean():
    result = invoke("exit_")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert names == [name for name in PARAMETER_NAMES if "exit_" in name] and len(names) == 5
    missing = invoke("parityy")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("lewsim params: error: no parameter name contains 'parityy'")
    assert "did you mean 'pay_parity'?" in missing.stderr
