"""A planner's own sector: organisations by name, read from a TOML file (docs/ODD.md 5.7 and 6.3).

A sector file replaces the generated sector (sizes from a lognormal, exposure classes
from ``exposure_mix``, one sector-wide value per lever) with organisations a planner
names::

    [[organisations]]
    name = "Northside CMHT"
    staff = 64
    exposure = "some"          # none, some or significant (the starting attitudes)
    peer_workers = 3           # optional: by default as the generated sector does
    champions = ["team_leader"]
    board_support = 0.7        # optional: this organisation's own lever

    [[links]]
    between = ["Northside CMHT", "Inpatient"]

Everything is checked before anything runs: an unknown field (with "did you mean"), a
duplicate name, more peers than places, a lever outside its range or a link to an
unknown name raises :class:`SectorFileError` naming the file, the organisation and the
field. Without links, the organisations are joined by the generated sector network. The
fields themselves are declared in :mod:`simulation.core.sector_schema`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from simulation.core.errors import InputError
from simulation.core.parameters import (
    EXPOSURE_CLASSES,
    ORG_LEVERS,
    ParameterError,
    Parameters,
    validate_parameters,
)
from simulation.core.sector import (
    ATTITUDES,
    OrgPlan,
    beta_table,
    hierarchy_of,
    interpolate_quantiles,
    plan_organisations,
    sector_network,
)
from simulation.core.sector_schema import (
    CHAMPION_POSTS,
    SectorFile,
    SectorFileError,
    describe_error,
    unknown_name_hint,
)
from simulation.core.state import Kind
from simulation.core.streams import RandomStreams

if TYPE_CHECKING:
    import networkx as nx

    from simulation.core.model import SectorModel

#: The environment variable through which ``lewsim app --sector FILE`` tells the served
#: app (another process) which sector file to start with.
SECTOR_ENVIRONMENT = "LEWSIM_APP_SECTOR"


class Sector:
    """A checked sector file, ready to build: organisations, plans, levers and links.

    Args:
        spec: The parsed file.
        source: Where it came from, for messages (``"<dict>"`` when given in Python).

    Raises:
        SectorFileError: For anything the model cannot build (see the module docstring).
    """

    def __init__(self, spec: SectorFile, source: str = "<dict>") -> None:
        self.spec = spec
        self.source = source
        self.names = spec.names
        self._check_levers()
        self._check_links()

    @property
    def n_orgs(self) -> int:
        """Number of organisations."""
        return len(self.names)

    def _refuse(self, index: int | None, field: str, problem: str) -> SectorFileError:
        where = f"organisation {self.names[index]!r}, " if index is not None else ""
        return SectorFileError(f"sector file {self.source}: {where}field {field!r}: {problem}")

    def _check_levers(self) -> None:
        # A lever's range is the parameter's own (simulation/core/parameters.py).
        for index, org in enumerate(self.spec.organisations):
            for name in ORG_LEVERS:
                value = getattr(org, name)
                if value is None:
                    continue
                try:
                    validate_parameters({name: value}, owner="organisation lever")
                except ParameterError as error:
                    raise self._refuse(index, name, str(error).split(": ", 1)[1]) from None

    def _check_links(self) -> None:
        known = set(self.names)
        named: list[tuple[int | None, str]] = [
            (index, other)
            for index, org in enumerate(self.spec.organisations)
            for other in org.links
        ]
        named += [(None, name) for link in self.spec.links for name in link.between]
        for index, name in named:
            if name not in known:
                hint = unknown_name_hint(name, self.names)
                raise self._refuse(index, "links", f"links to {name!r}, {hint}")
        for index, org in enumerate(self.spec.organisations):
            if org.name in org.links:
                raise self._refuse(index, "links", "an organisation cannot link to itself")
        for link in self.spec.links:
            if len(set(link.between)) < len(link.between):
                raise self._refuse(
                    None,
                    "links",
                    f"a link joins two organisations, not {link.between[0]!r} to itself",
                )

    def edges(self) -> list[tuple[int, int]] | None:
        """The links as pairs of organisation ids, or None for the generated network."""
        ids = {name: index for index, name in enumerate(self.names)}
        edges = {
            tuple(sorted((index, ids[other])))
            for index, org in enumerate(self.spec.organisations)
            for other in org.links
        }
        edges |= {tuple(sorted(ids[name] for name in link.between)) for link in self.spec.links}
        edges = {edge for edge in edges if edge[0] != edge[1]}
        return sorted(edges) if edges else None

    def classes(self) -> np.ndarray:
        """Exposure class of each organisation (0 none, 1 some, 2 significant)."""
        return np.asarray(
            [EXPOSURE_CLASSES.index(org.exposure) for org in self.spec.organisations],
            dtype=np.int8,
        )

    def plans(self, params: Parameters, streams: RandomStreams) -> list[OrgPlan]:
        """Each organisation's positions: the file's numbers, the generated rule elsewhere.

        Args:
            params: Model parameters (``team_size``, ``teams_per_senior``,
                ``initial_peer_share``).
            streams: The run's random streams.

        Returns:
            One plan per organisation.

        Raises:
            SectorFileError: When the positions do not fit the headcount, or the champions
                do not fit the units.
        """
        sizes = np.asarray([org.staff for org in self.spec.organisations], dtype=np.int64)
        generated = plan_organisations(params, sizes, self.classes(), streams)
        plans = []
        for index, (org, default) in enumerate(
            zip(self.spec.organisations, generated, strict=True)
        ):
            hierarchy = hierarchy_of(org.staff, params, org.teams)
            managers = sum(hierarchy.values())
            room = org.staff - managers - int(org.le_leader)
            if room < hierarchy["n_teams"]:
                raise self._refuse(
                    index,
                    "teams" if org.teams is not None else "staff",
                    f"{org.staff} staff cannot hold {managers} managers ({hierarchy['n_exec']} "
                    f"executives, {hierarchy['n_senior']} senior managers and "
                    f"{hierarchy['n_teams']} team leaders)"
                    + (", an LE leader" if org.le_leader else "")
                    + " and a member in each team; allowed: fewer teams or more staff",
                )
            peers = default.n_peers if org.peer_workers is None else org.peer_workers
            if org.peer_workers is None:
                peers = min(peers, room)
            if peers > room:
                raise self._refuse(
                    index,
                    "peer_workers",
                    f"{peers} peer workers do not fit: {org.staff} staff less {managers} "
                    f"managers{' and the LE leader' if org.le_leader else ''} leaves {room}; "
                    f"allowed: 0 to {room}",
                )
            plans.append(
                OrgPlan(size=org.staff, n_peers=peers, le_leader=org.le_leader, **hierarchy)
            )
            self._check_champions(index, plans[-1])
        return plans

    def _check_champions(self, index: int, plan: OrgPlan) -> None:
        champions = self.spec.organisations[index].champions
        if champions is None:
            return
        # A unit holds at most one champion: the executive team, the senior group and
        # each frontline team.
        units = 2 + plan.n_teams
        if isinstance(champions, int):
            if not 0 <= champions <= units:
                raise self._refuse(
                    index,
                    "champions",
                    f"{champions} champions do not fit: a unit holds at most one champion, "
                    f"and this organisation has {units} units (the executive team, the "
                    f"senior group and {plan.n_teams} teams); allowed: 0 to {units}",
                )
            return
        room = {"executive": 1, "senior": 1, "team_leader": plan.n_teams}
        for level in CHAMPION_POSTS:
            if champions.count(level) > room[level]:
                raise self._refuse(
                    index,
                    "champions",
                    f"{champions.count(level)} champions at level {level!r} do not fit: a "
                    f"unit holds at most one champion, and this organisation has "
                    f"{room[level]} {'unit' if room[level] == 1 else 'units'} at that level",
                )

    def parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        """The model's keyword arguments with ``n_orgs`` set to the file's organisations.

        Args:
            params: Keyword arguments given with the sector.

        Returns:
            A copy with ``n_orgs``.

        Raises:
            SectorFileError: If ``n_orgs`` is given and differs from the file's count.
        """
        given = params.get("n_orgs", self.n_orgs)
        if given != self.n_orgs:
            raise SectorFileError(
                f"sector file {self.source}: n_orgs = {given!r} does not match its "
                f"{self.n_orgs} organisations; allowed: leave n_orgs out with a sector file"
            )
        return {**params, "n_orgs": self.n_orgs}

    def check(self, params: dict[str, Any], owner: str = "SectorModel") -> Parameters:
        """Check the file against the parameters it will run with, before anything runs.

        The positions (managers, teams, peers, champions) depend on ``team_size`` and
        ``teams_per_senior``, so they are checked here rather than when the file is read.

        Args:
            params: Keyword arguments given with the sector.
            owner: Who received them, for messages.

        Returns:
            The validated parameters (with the file's ``n_orgs``).

        Raises:
            SectorFileError: For positions that do not fit (see :meth:`plans`).
            simulation.ParameterError: For a bad parameter.
        """
        validated = validate_parameters(self.parameters(params), owner=owner)
        self.plans(validated, RandomStreams(0))  # only the LE leader's draw uses the streams
        return validated

    def footprint_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        """Parameters that size this sector for a memory estimate (its count and mean size).

        Args:
            params: Keyword arguments given with the sector.

        Returns:
            :meth:`parameters` with the file's mean headcount as ``mean_org_size`` and no
            spread, so that the estimate's staff is the file's own total. Only for sizing:
            the mean is not held to the parameter's range (a file's organisations may be
            larger than a generated sector's), so these are not parameters to run with.
        """
        mean = sum(org.staff for org in self.spec.organisations) / self.n_orgs
        return {
            **self.parameters(params),
            "mean_org_size": mean,
            "org_size_sigma": 0.0,
            "min_org_size": 1,
        }

    def manifest_entry(self) -> dict[str, Any]:
        """What a results manifest records of the sector: its file and organisations."""
        return {"path": self.source, "organisations": list(self.names)}

    def network(self, params: Parameters, streams: RandomStreams) -> nx.Graph:
        """The file's links, or the generated sector network if it names none.

        Args:
            params: Model parameters (``sector_degree`` for the generated network).
            streams: The run's random streams.

        Returns:
            A graph over organisation ids.
        """
        import networkx as nx

        edges = self.edges()
        if edges is None:
            return sector_network(params, streams)
        graph = nx.empty_graph(self.n_orgs)
        graph.add_edges_from(edges)
        return graph

    def apply_levers(self, levers: dict[str, np.ndarray]) -> None:
        """Write each organisation's own lever values over the sector-wide ones.

        Args:
            levers: The model's per-organisation levers (``model.orgs.levers``).
        """
        for index, org in enumerate(self.spec.organisations):
            for name in ORG_LEVERS:
                if getattr(org, name) is not None:
                    levers[name][index] = getattr(org, name)

    def apply_attitudes(self, model: SectorModel, slots: np.ndarray) -> None:
        """Redraw the starting attitudes an organisation gives itself, from the same draws.

        A non-peer's attitude is the quantile of a Beta with the class's mean at their own
        uniform number (``draw_people``); where the file gives the mean, the same uniform
        number is read off a Beta with the file's mean instead, so nothing else moves.

        Args:
            model: The model being set up (its people just placed).
            slots: The people placed at set-up.
        """
        staff, params = model.staff, model.params
        non_peer = slots[staff.kind[slots] < Kind.PEER_WORKER]
        for index, org in enumerate(self.spec.organisations):
            members = non_peer[staff.org[non_peer] == index]
            for name in ATTITUDES:
                mean = getattr(org, f"initial_{name}")
                if mean is None or members.size == 0:
                    continue
                draws = model.streams.uniform(f"person_{name}", 0, staff.key[members])
                table = beta_table(mean, params.attitude_concentration)[np.newaxis, :]
                rows = np.zeros(members.size, dtype=np.int64)
                getattr(staff, name)[members] = interpolate_quantiles(table, rows, draws)

    def place_champions(self, model: SectorModel) -> None:
        """Make the file's champions, one per unit, in the organisations that name them.

        A list of levels puts one champion in the executive team (the CEO), one in the
        senior group (its first senior manager) and one in each of the first teams (their
        team leaders); a count is placed team leaders first, then the senior group, then
        the executive team. An organisation without ``champions`` keeps the drawn ones.

        Args:
            model: The model being set up.
        """
        staff, structure = model.staff, model.structure
        for index, org in enumerate(self.spec.organisations):
            if org.champions is None:
                continue
            n_teams = int(structure.team_count[index])
            posts = (
                org.champions
                if isinstance(org.champions, list)
                else (["team_leader"] * n_teams + ["senior", "executive"])[: org.champions]
            )
            members = staff.org[: staff.size] == index
            staff.champion[: staff.size][members] = False
            teams = iter(
                range(int(structure.team_start[index]), int(structure.team_start[index]) + n_teams)
            )
            for post in posts:
                if post == "team_leader":
                    slot = int(structure.unit_head[next(teams)])
                else:
                    kind = Kind.EXECUTIVE if post == "executive" else Kind.SENIOR
                    slot = int(np.flatnonzero(members & (staff.kind[: staff.size] == kind))[0])
                staff.champion[slot] = True


def export_sector(model: SectorModel, description: str = "") -> dict[str, Any]:
    """A model's sector at month 0 as a sector file's content (a template to edit).

    Each organisation is written with its staff, teams, exposure class, peer workers and
    LE leader, and the sector network as ``[[links]]``; champions are left out (so they are
    drawn as in the generated sector) and so are the levers (the sector-wide parameters).
    Run with the same seed and parameters, the file reproduces the model's run exactly.

    Args:
        model: A model at month 0 (before any step or intervention).
        description: The file's description.

    Returns:
        The content, ready for ``tomli_w.dumps`` or :func:`read_sector`.

    Raises:
        InputError: For a model that has already run.
    """
    if model.month != 0 or model.scheduled_events:
        raise InputError("a sector is exported at month 0, before any step or intervention")
    summary = model.org_summary()
    names = model.org_names or tuple(f"organisation {org}" for org in range(model.n_orgs))
    organisations = [
        {
            "name": names[org],
            "staff": int(summary["staff"][org]),
            "teams": int(model.structure.team_count[org]),
            "exposure": EXPOSURE_CLASSES[int(summary["exposure_class"][org])],
            # The summary's peer workers count the LE leader; the file's do not.
            "peer_workers": int(summary["peer_workers"][org] - summary["le_leader"][org]),
            "le_leader": bool(summary["le_leader"][org]),
        }
        for org in range(model.n_orgs)
    ]
    links = [{"between": [names[a], names[b]]} for a, b in sorted(model.sector_graph.edges())]
    content: dict[str, Any] = {"description": description, "organisations": organisations}
    return content | ({"links": links} if links else {})


def read_sector(source: str | Path | dict[str, Any] | Sector | SectorFile) -> Sector:
    """Read and check a sector from a TOML file, a dict of the same shape, or a spec.

    Args:
        source: A path to a ``.toml`` file, its content as a dict, or an already read one.

    Returns:
        The checked :class:`Sector`.

    Raises:
        SectorFileError: Naming the file, the organisation and the field.
    """
    if isinstance(source, Sector):
        return source
    if isinstance(source, SectorFile):
        return Sector(source)
    label = "<dict>"
    raw: Any = source
    if isinstance(source, str | Path):
        path = Path(source)
        label = str(path)
        try:
            # A byte-order mark (written by some editors) is not part of the TOML.
            raw = tomllib.loads(path.read_text(encoding="utf-8").removeprefix("\ufeff"))
        except FileNotFoundError:
            raise SectorFileError(f"sector file {label}: no such file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise SectorFileError(f"sector file {label}: cannot be read ({error})") from None
        except tomllib.TOMLDecodeError as error:
            raise SectorFileError(f"sector file {label}: not valid TOML ({error})") from None
    elif not isinstance(source, dict):
        raise SectorFileError(
            f"sector = {source!r}: allowed: a path to a .toml sector file or a dict of its content"
        )
    try:
        spec = SectorFile.model_validate(raw)
    except ValidationError as error:
        raise describe_error(error, raw, label) from None
    return Sector(spec, label)
