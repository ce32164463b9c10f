"""The levers a learner can move, listed once: the app's sliders and switches come from here.

Each lever names a model parameter; its default, range and meaning are read from
:class:`simulation.core.parameters.Parameters`, never declared again here. What the app adds
is a short label, a slider step, and where the model's range is far wider than a room
needs (hundreds of thousands of organisations), a smaller upper bound. To add a lever
add one line to :data:`LEVERS`. The outside world (funding envelope and policy pressure,
yearly series) is one choice among :data:`OUTSIDE_WORLDS`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mesa.visualization import Slider

from simulation.app.stories import NO_STORY, STORIES
from simulation.core.parameters import Parameters
from simulation.core.sector_file import SECTOR_ENVIRONMENT


@dataclass(frozen=True)
class Lever:
    """A model parameter shown as a slider (numbers) or a switch (on/off).

    Attributes:
        name: The parameter's name in :class:`~simulation.core.parameters.Parameters`.
        label: The control's label.
        finding: The finding of the study the lever reflects, for a room of learners.
        step: The slider's step (ignored for a switch).
        app_max: An upper bound for the app, below the model's own (None: the model's).
    """

    name: str
    label: str
    finding: str
    step: float = 0.05
    app_max: float | None = None

    @property
    def description(self) -> str:
        """The parameter's meaning, as :class:`~simulation.core.parameters.Parameters` gives it."""
        return Parameters.model_fields[self.name].description or ""

    @property
    def default(self) -> Any:
        """The parameter's default."""
        return Parameters.model_fields[self.name].default

    def bounds(self) -> tuple[float, float]:
        """The slider's range: the parameter's own, capped at ``app_max``."""
        low, high = 0.0, 1.0
        for item in Parameters.model_fields[self.name].metadata:
            low = getattr(item, "ge", low)
            high = getattr(item, "le", high)
        if self.app_max is not None:
            high = min(high, self.app_max)
        return low, high

    def control(self) -> Slider | dict[str, Any]:
        """The control, in the form of Mesa's ``model_params``."""
        if isinstance(self.default, bool):
            return {"type": "Checkbox", "value": self.default, "label": self.label}
        low, high = self.bounds()
        if isinstance(self.default, int):
            return Slider(self.label, self.default, int(low), int(high), int(self.step))
        return Slider(self.label, self.default, low, high, self.step)


#: The levers, in the order the app shows them.
LEVERS: tuple[Lever, ...] = (
    Lever(
        "board_support",
        "Board support",
        "Top-down support speeds culture change; bottom-up change alone is slower.",
    ),
    Lever(
        "pay_parity",
        "Pay parity",
        "Pay disparity raises peer attrition and slows growth.",
    ),
    Lever(
        "role_clarity",
        "Role clarity",
        "Unclear peer roles raise peer attrition and slow growth.",
    ),
    Lever(
        "visit_rate",
        "Visit rate (per manager per month)",
        "Seeing peer work elsewhere is what persuades: without contact, organisations with "
        "no peers stay without them (\"you don't know what you don't know\").",
        step=0.01,
        app_max=0.3,
    ),
    Lever(
        "manager_network",
        "Manager network",
        "A network of managers who have hired peers breaks the lock-in of organisations "
        "that have none.",
    ),
    Lever(
        "n_orgs",
        "Number of organisations",
        "The study's sector had 24 organisations, about half of them without peer workers.",
        step=1,
        app_max=60,
    ),
)

#: The outside world (docs/ODD.md section 6.1) as a choice a room understands: each names
#: the yearly series it sets (a number is the same value every year).
OUTSIDE_WORLDS: dict[str, dict[str, Any]] = {
    "national path": {},
    "no new policy (held at 2017-18)": {"funding_envelope": 0.12, "policy_pressure": 0.3},
    "strong push (pressure 0.8)": {"policy_pressure": 0.8},
    "funding freeze (envelope 0.06)": {"funding_envelope": 0.06},
}
DEFAULT_WORLD = "national path"

#: The sector's choice when no sector file is loaded: the sector generated from the levers.
GENERATED_SECTOR = "generated from the levers"
#: The sector files shipped with lewsim (experiments/sectors/), by name.
SHIPPED_SECTORS: dict[str, Path] = {
    path.stem: path
    for path in sorted((Path(__file__).parents[2] / "experiments" / "sectors").glob("*.toml"))
}


def sector_choices() -> dict[str, str | None]:
    """The sectors a room can choose: the generated one, the shipped files, ``--sector``'s.

    Returns:
        Label -> sector file path (None for the generated sector), the one to start with
        first.
    """
    choices: dict[str, str | None] = {GENERATED_SECTOR: None}
    choices |= {name: str(path) for name, path in SHIPPED_SECTORS.items()}
    given = os.environ.get(SECTOR_ENVIRONMENT)
    if given:
        choices = {Path(given).stem: given, **choices}
    return choices


#: The seed control's range.
SEED_RANGE = (0, 999)


def model_params(seed: int = 42) -> dict[str, Any]:
    """Mesa's ``model_params`` for the app: the story, the seed and every lever.

    Args:
        seed: The seed the app starts with.

    Returns:
        Keyword argument name -> control (what ``SolaraViz(model_params=...)`` takes).
    """
    params: dict[str, Any] = {
        "story": {
            "type": "Select",
            "value": NO_STORY,
            "values": [NO_STORY, *STORIES],
            "label": "Story (press Reset to load)",
        },
        "sector": {
            "type": "Select",
            "value": next(iter(sector_choices())),
            "values": list(sector_choices()),
            "label": "Sector (press Reset to load)",
        },
        "rng": Slider("Seed", seed, *SEED_RANGE, 1),
        "outside_world": {
            "type": "Select",
            "value": DEFAULT_WORLD,
            "values": list(OUTSIDE_WORLDS),
            "label": "Outside world: funding and policy pressure",
        },
    }
    for lever in LEVERS:
        params[lever.name] = lever.control()
    return params
