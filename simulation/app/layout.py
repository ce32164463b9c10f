"""Where each person of an organisation is drawn: a layout that stays put from month to month.

A force-directed layout recomputed every month would move everyone whenever one person
joins or leaves, and a room watching the network would lose track of who is who. Here an
organisation is drawn as its hierarchy: the executive team at the top, the senior managers
below it, the frontline teams in rows at the bottom. Inside a unit, people sit on the
seats of a sunflower spiral around the unit's centre (seat 0, the head, at the centre);
the spiral grows outwards, so a newcomer takes a new or free seat and nobody else moves.

Managers and clinicians keep their seat for the whole run: their positions never move
(a leaver is replaced in place, in the same slot), so their seat is the slot's. Peer
workers come and go: each takes the lowest free seat of their team when first seen and
keeps it until they leave.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simulation.core.state import PEER_KINDS, UnitType

if TYPE_CHECKING:
    from simulation.core.model import SectorModel

#: Distance between neighbouring seats of a unit (seat k sits at ``SEAT_SPACING * sqrt(k)``).
SEAT_SPACING = 0.09
#: The angle between consecutive seats: the golden angle, which spreads seats evenly.
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
#: Frontline teams in one row at most (more make further rows below).
TEAMS_PER_ROW = 7
#: Vertical position of each kind of unit (in rows; frontline teams from row 0 down).
ROW_OF_UNIT = {
    UnitType.EXECUTIVE_TEAM: 2.0,
    UnitType.SENIOR_GROUP: 1.0,
    UnitType.FRONTLINE_TEAM: 0.0,
}


def seat_offset(seat: int) -> tuple[float, float]:
    """Offset of seat ``seat`` from its unit's centre on the sunflower spiral.

    Args:
        seat: Seat number (0 is the centre).

    Returns:
        ``(dx, dy)``.
    """
    radius = SEAT_SPACING * math.sqrt(seat)
    angle = seat * GOLDEN_ANGLE
    return radius * math.cos(angle), radius * math.sin(angle)


class OrganisationLayout:
    """Stable drawing positions for the staff of one organisation.

    Args:
        model: The sector model.
        org: The organisation.
    """

    def __init__(self, model: SectorModel, org: int) -> None:
        self.org = int(org)
        structure = model.structure
        units = np.flatnonzero(structure.unit_org == org)
        frontline = [u for u in units.tolist() if structure.unit_type[u] == UnitType.FRONTLINE_TEAM]
        # Teams one unit apart, wide enough for a team of twice the usual size, in rows of
        # at most TEAMS_PER_ROW (a long single row would leave each team a few pixels).
        spacing = 2.2 * SEAT_SPACING * math.sqrt(2 * model.params.team_size) + 0.1
        rows = max(math.ceil(len(frontline) / TEAMS_PER_ROW), 1)
        per_row = max(math.ceil(len(frontline) / rows), 1)
        width = spacing * (per_row - 1)
        self.centre: dict[int, tuple[float, float]] = {}
        for unit in units.tolist():
            unit_type = UnitType(int(structure.unit_type[unit]))
            if unit_type == UnitType.FRONTLINE_TEAM:
                row, column = divmod(frontline.index(unit), per_row)
                self.centre[unit] = (column * spacing, -row * spacing)
            else:
                self.centre[unit] = (width / 2, ROW_OF_UNIT[unit_type] * 1.3 * spacing)
        self.fixed_seats: dict[int, tuple[float, float]] = {}  # slot -> position
        self.next_fixed_seat = dict.fromkeys(self.centre, 0)
        self.peer_seats: dict[int, tuple[int, int]] = {}  # unique_id -> (unit, seat)
        staff = model.staff
        slots = self._slots(model)
        # Heads first (seat 0 of their unit), then the others in slot order.
        heads = set(structure.unit_head[units].tolist())
        for slot in sorted(slots.tolist(), key=lambda s: (s not in heads, s)):
            if staff.kind[slot] not in PEER_KINDS:
                self._seat_fixed(int(staff.unit[slot]), slot)

    def _slots(self, model: SectorModel) -> np.ndarray:
        staff = model.staff
        size = staff.size
        return np.flatnonzero(staff.active[:size] & (staff.org[:size] == self.org))

    def _seat_fixed(self, unit: int, slot: int) -> None:
        seat = self.next_fixed_seat[unit]
        self.next_fixed_seat[unit] = seat + 1
        self.fixed_seats[slot] = self._position(unit, seat)

    def _position(self, unit: int, seat: int) -> tuple[float, float]:
        x, y = self.centre[unit]
        dx, dy = seat_offset(seat)
        return x + dx, y + dy

    def positions(self, model: SectorModel) -> dict[int, tuple[float, float]]:
        """Everyone's position now, by ``unique_id`` (the nodes of the organisation network).

        Args:
            model: The sector model (the one the layout was made for).

        Returns:
            ``{unique_id: (x, y)}`` for every current member of the organisation.
        """
        staff = model.staff
        handles = staff.handles
        slots = self._slots(model)
        positions: dict[int, tuple[float, float]] = {}
        peers: list[tuple[int, int]] = []  # (unique_id, unit) of the peers present
        for slot in slots.tolist():
            uid = handles[slot].unique_id
            if staff.kind[slot] in PEER_KINDS:
                peers.append((uid, int(staff.unit[slot])))
            else:
                if slot not in self.fixed_seats:  # a slot first used after set-up
                    self._seat_fixed(int(staff.unit[slot]), slot)
                positions[uid] = self.fixed_seats[slot]
        present = {uid for uid, _ in peers}
        self.peer_seats = {uid: seat for uid, seat in self.peer_seats.items() if uid in present}
        taken: dict[int, set[int]] = {}
        for unit, seat in self.peer_seats.values():
            taken.setdefault(unit, set()).add(seat)
        for uid, unit in peers:
            if uid not in self.peer_seats:
                used = taken.setdefault(unit, set())
                seat = self.next_fixed_seat.get(unit, 0)
                while seat in used:
                    seat += 1
                used.add(seat)
                self.peer_seats[uid] = (unit, seat)
            positions[uid] = self._position(*self.peer_seats[uid])
        return positions
