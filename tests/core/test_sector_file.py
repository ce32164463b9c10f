"""A planner's sector file: what it builds, and every refusal naming file, organisation, field."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import SectorModel, simulate
from simulation.core.errors import InputError
from simulation.core.sector_file import SectorFileError, export_sector, read_sector
from simulation.core.state import Kind
from simulation.runs.footprint import expected_staff

EXAMPLE = "experiments/sectors/riverside.toml"


def two_services(**changes) -> dict:
    """A two-organisation sector as a dict; ``changes`` update the first organisation."""
    first = {"name": "Northside CMHT", "staff": 40, "exposure": "some"}
    first.update(changes)
    return {"organisations": [first, {"name": "Inpatient", "staff": 30}]}


def test_the_example_builds_its_named_organisations():
    model = SectorModel(rng=3, sector=EXAMPLE)
    summary = model.org_summary()
    assert model.org_names[0] == "Northside CMHT" and model.n_orgs == 6
    assert summary["staff"].tolist() == [64, 58, 120, 36, 30, 24]
    # Peers as the file says (the LE leader counts among the peer workers).
    assert summary["peer_workers"].tolist() == [2, 0, 0, 0, 1, 6]
    assert summary["le_leader"].tolist() == [False] * 5 + [True]
    assert summary["champions"].tolist() == [1, 0, 0, 0, 0, 0]
    assert model.structure.team_count[0] == 6
    assert model.structure.exposure_class.tolist() == [1, 0, 0, 0, 1, 2]
    assert model.orgs.levers["board_support"].tolist() == [0.3] * 5 + [0.7]
    assert model.orgs.levers["role_clarity"][2] == 0.4
    assert sorted(model.sector_graph.edges()) == [(0, 1), (0, 4), (0, 5), (1, 3), (2, 3)]


def test_a_run_on_the_example_is_keyed_by_name_and_repeatable():
    model = SectorModel(rng=3, sector=EXAMPLE)
    for _ in range(24):
        model.step()
    table = model.org_table()
    assert table.loc[table.month == 24, "organisation"].tolist()[2] == "Inpatient"
    assert simulate(steps=24, seed=3, sector=EXAMPLE).equals(model.sector_frame())


def test_without_links_the_generated_network_joins_the_organisations():
    sector = two_services()
    assert SectorModel(rng=1, sector=sector).sector_graph.number_of_edges() == 1
    assert SectorModel(rng=1, sector=sector, sector_degree=0).sector_graph.number_of_edges() == 0


def test_named_champions_sit_one_per_unit():
    model = SectorModel(
        rng=1, sector=two_services(teams=3, champions=["executive", "team_leader", "team_leader"])
    )
    staff = model.staff
    champions = np.flatnonzero(staff.champion[: staff.size])
    assert sorted(staff.kind[champions].tolist()) == [
        Kind.EXECUTIVE,
        Kind.TEAM_LEADER,
        Kind.TEAM_LEADER,
    ]
    assert len(set(staff.unit[champions].tolist())) == 3
    counted = SectorModel(rng=1, sector=two_services(teams=2, champions=4))
    kinds = counted.staff.kind[np.flatnonzero(counted.staff.champion[: counted.staff.size])]
    assert sorted(kinds.tolist()) == [
        Kind.EXECUTIVE,
        Kind.SENIOR,
        Kind.TEAM_LEADER,
        Kind.TEAM_LEADER,
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"staf": 40}, "organisation 'Northside CMHT', unknown field 'staf'; did you mean 'staff'"),
        (
            {"peer_workers": 39},
            "'Northside CMHT', field 'peer_workers': 39 peer workers do not fit",
        ),
        (
            {"board_support": 1.5},
            "'Northside CMHT', field 'board_support': parameter 'board_support'",
        ),
        ({"pay_parity": -0.1}, "'Northside CMHT', field 'pay_parity'"),
        (
            {"links": ["Inpatiant"]},
            "links to 'Inpatiant', which is not in the sector; did you mean 'Inpatient'",
        ),
        ({"exposure": "lots"}, "'Northside CMHT', field 'exposure' = 'lots'"),
        (
            {"champions": 9, "teams": 3},
            "field 'champions': 9 champions do not fit: a unit holds at most one",
        ),
        ({"champions": ["senior", "senior"]}, "2 champions at level 'senior' do not fit"),
        ({"teams": 30}, "field 'teams': 40 staff cannot hold"),
        ({"staff": "forty"}, "field 'staff' = 'forty'"),
    ],
)
def test_a_bad_organisation_is_refused_naming_file_organisation_and_field(changes, message):
    with pytest.raises(SectorFileError, match="sector file <dict>: ") as caught:
        SectorModel(rng=1, sector=two_services(**changes))
    assert message in str(caught.value)


def test_duplicate_names_unknown_links_and_n_orgs_are_refused(tmp_path):
    path = tmp_path / "district.toml"
    path.write_text(
        '[[organisations]]\nname = "A"\nstaff = 20\n[[organisations]]\nname = "A"\nstaff = 20\n'
    )
    with pytest.raises(SectorFileError, match=f"sector file {path}: .*'A' appears twice"):
        read_sector(path)
    path.write_text('[[organisations]]\nname = "A"\nstaff = 20\n[[links]]\nbetween = ["A", "B"]\n')
    with pytest.raises(
        SectorFileError, match="field 'links': links to 'B', which is not in the sector"
    ):
        read_sector(path)
    with pytest.raises(SectorFileError, match="n_orgs = 5 does not match its 6 organisations"):
        SectorModel(sector=EXAMPLE, n_orgs=5)
    with pytest.raises(SectorFileError, match="no such file"):
        read_sector(tmp_path / "missing.toml")
    path.write_text("[[organisations]\n")
    with pytest.raises(SectorFileError, match="not valid TOML"):
        read_sector(path)


def test_a_self_link_is_refused_in_either_form_and_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "district.toml"
    two = '[[organisations]]\nname = "A"\nstaff = 20\n[[organisations]]\nname = "B"\nstaff = 20\n'
    path.write_text(two + '[[links]]\nbetween = ["A", "A"]\n')
    with pytest.raises(SectorFileError, match="not 'A' to itself"):
        read_sector(path)
    path.write_text('[[organisations]]\nname = "A"\nstaff = 20\nlinks = ["A"]\n')
    with pytest.raises(SectorFileError, match="cannot link to itself"):
        read_sector(path)
    path.write_text("\ufeff" + two + '[[links]]\nbetween = ["A", "B"]\n', encoding="utf-8")
    assert read_sector(path).edges() == [(0, 1)]


def test_interventions_target_organisations_by_name_or_id():
    by_name = SectorModel(rng=2, sector=EXAMPLE)
    by_id = SectorModel(rng=2, sector=EXAMPLE)
    assert by_name.select_orgs(["Inpatient", "Northside CMHT", 3]).tolist() == [0, 2, 3]
    by_name.schedule(6, "appoint_champion", level="team_leader", orgs=["Inpatient", "Crisis Team"])
    by_id.schedule(6, "appoint_champion", level="team_leader", orgs=[2, 3])
    for _ in range(12):
        by_name.step()
        by_id.step()
    assert by_name.org_table().equals(by_id.org_table())
    assert by_name.org_summary()["champions"][2] >= 1


def test_an_unknown_organisation_name_gets_a_did_you_mean():
    model = SectorModel(rng=2, sector=EXAMPLE)
    with pytest.raises(
        InputError, match="'Inpatiant', which is not in the sector; did you mean 'Inpatient'"
    ):
        model.intervene("appoint_champion", level="senior", orgs=["Inpatiant"])
    generated = SectorModel(rng=2, n_orgs=3)
    with pytest.raises(InputError, match="a generated sector has no names; allowed: ids 0 to 2"):
        generated.intervene("appoint_champion", level="senior", orgs=["Inpatient"])


@pytest.mark.parametrize(
    ("seed", "params"),
    [(7, {}), (11, {"n_orgs": 10, "exposure_mix": (0.2, 0.4, 0.4), "initial_le_leader": 1.0})],
)
def test_an_exported_generated_sector_reproduces_the_generated_run_exactly(seed, params):
    generated = SectorModel(rng=seed, **params)
    content = export_sector(generated)
    from_file = SectorModel(rng=seed, sector=content, **params)
    for _ in range(60):
        generated.step()
        from_file.step()
    pd.testing.assert_frame_equal(generated.sector_frame(), from_file.sector_frame())
    pd.testing.assert_frame_equal(
        generated.org_table(), from_file.org_table().drop(columns="organisation")
    )
    assert sum(org["le_leader"] for org in content["organisations"]) >= (1 if params else 0)


def test_only_a_fresh_model_is_exported():
    model = SectorModel(rng=1, n_orgs=3)
    model.step()
    with pytest.raises(InputError, match="at month 0"):
        export_sector(model)


def test_an_organisation_may_set_its_own_starting_attitudes():
    plain = SectorModel(rng=4, sector=two_services(exposure="none"))
    own = SectorModel(rng=4, sector=two_services(exposure="none", initial_commitment=0.8))
    non_peers = plain.staff.slots_of(Kind.EXECUTIVE, Kind.SENIOR, Kind.TEAM_LEADER, Kind.CLINICIAN)
    first = non_peers[plain.staff.org[non_peers] == 0]
    second = non_peers[plain.staff.org[non_peers] == 1]
    assert own.staff.commitment[first].mean() > 0.7 > plain.staff.commitment[first].mean()
    # Each person keeps their own draw: the order of commitments is unchanged, and
    # everything else (the other organisation, other attitudes) is as without it.
    assert np.array_equal(
        np.argsort(own.staff.commitment[first]), np.argsort(plain.staff.commitment[first])
    )
    assert np.array_equal(own.staff.commitment[second], plain.staff.commitment[second])
    assert np.array_equal(own.staff.stigma[first], plain.staff.stigma[first])
    with pytest.raises(SectorFileError, match="field 'initial_commitment' = 1.2"):
        SectorModel(sector=two_services(initial_commitment=1.2))


def test_a_sector_files_footprint_counts_its_own_staff_however_large(tmp_path):
    # A file's organisations may be far larger than a generated sector's mean_org_size
    # allows: the memory estimate must still count them all.
    big = {"organisations": [{"name": f"o{i}", "staff": 100_000} for i in range(3)]}
    sector = read_sector(big)
    assert expected_staff(sector.footprint_parameters({})) == pytest.approx(300_000)
    assert expected_staff(read_sector(EXAMPLE).footprint_parameters({})) == pytest.approx(
        sum(org.staff for org in read_sector(EXAMPLE).spec.organisations)
    )
