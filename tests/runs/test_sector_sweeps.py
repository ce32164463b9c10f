"""Sweeps on a sector file: sector = in the sweep file, one organisation's lever as a factor."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simulation import SectorModel
from simulation.core.errors import InputError
from simulation.core.outcomes import run_outcomes
from simulation.outputs.sweep_store import SweepStore
from simulation.runs.jobs import carry_out
from simulation.runs.sweeps import SweepError, sweep_from_text

SECTORS = Path(__file__).resolve().parents[2] / "experiments" / "sectors"


def sweep_text(factor: str, sector: str = "riverside.toml") -> str:
    return textwrap.dedent(
        f"""\
        name = "on-riverside"
        sector = "{sector}"
        steps = 24
        replications = 2
        design = "factorial"
        outputs = ["peer_workers"]

        [parameters."{factor}"]
        levels = [0.1, 0.9]
        """
    )


def test_a_sweep_varies_one_organisations_lever_and_only_that():
    sweep = sweep_from_text(
        sweep_text("organisations.Northside CMHT.board_support"), directory=SECTORS
    )
    jobs = [sweep.job(run) for run in sweep.runs()]
    assert [job.sector["organisations"][0]["board_support"] for job in jobs] == [0.1] * 2 + [
        0.9
    ] * 2
    assert all(job.sector["organisations"][5]["board_support"] == 0.7 for job in jobs)
    # The job's sector builds the model the worker runs: Northside's lever is the swept value.
    model = SectorModel(rng=jobs[-1].run.seed, sector=jobs[-1].sector)
    assert model.orgs.levers["board_support"].tolist() == [0.9, 0.3, 0.3, 0.3, 0.3, 0.7]
    row = carry_out(jobs[-1])
    assert row["status"] == "ok"
    assert row["outcomes"] == run_outcomes(
        24, jobs[-1].run.seed, {}, (), ("peer_workers",), sector=jobs[-1].sector
    )


@pytest.mark.parametrize(
    ("factor", "sector", "message"),
    [
        (
            "organisations.Northsid CMHT.board_support",
            "riverside.toml",
            "did you mean 'Northside CMHT'",
        ),
        (
            "organisations.Inpatient.team_size",
            "riverside.toml",
            "'team_size' is not an organisation's lever",
        ),
        ("organisations.Inpatient.board_support", "missing.toml", "sector = 'missing.toml'"),
    ],
)
def test_bad_organisation_factors_and_sectors_are_refused(factor, sector, message):
    with pytest.raises(SweepError, match=message):
        sweep_from_text(sweep_text(factor, sector), directory=SECTORS)


def test_an_organisations_lever_out_of_range_is_refused_before_any_run():
    text = sweep_text("organisations.Inpatient.board_support").replace("[0.1, 0.9]", "[0.1, 1.5]")
    with pytest.raises(
        SweepError, match=r"value 1.5 is not allowed: .*'Inpatient', field 'board_support'"
    ):
        sweep_from_text(text, directory=SECTORS)


def test_an_organisations_lever_needs_a_sector_file():
    text = sweep_text("organisations.Inpatient.board_support").replace(
        'sector = "riverside.toml"\n', ""
    )
    with pytest.raises(SweepError, match="needs a sector file"):
        sweep_from_text(text, directory=SECTORS)


def test_an_edited_sector_file_makes_a_different_sweep_on_resume(tmp_path):
    # The scenario names the sector by its path; the store must also see an edit of the
    # file, or a resume would mix runs on two sectors.
    sector = tmp_path / "district.toml"
    sector.write_text((SECTORS / "riverside.toml").read_text(encoding="utf-8"), encoding="utf-8")
    text = sweep_text("organisations.Inpatient.board_support", sector="district.toml")
    SweepStore.open(tmp_path / "out", sweep_from_text(text, directory=tmp_path))
    SweepStore.open(tmp_path / "out", sweep_from_text(text, directory=tmp_path))  # unchanged
    sector.write_text(
        sector.read_text(encoding="utf-8").replace("staff = 120", "staff = 400"), encoding="utf-8"
    )
    with pytest.raises(InputError, match="sector_content"):
        SweepStore.open(tmp_path / "out", sweep_from_text(text, directory=tmp_path))
