"""The app's preset stories: scenario files a room can load and watch.

Each story is an ordinary scenario file (:mod:`simulation.runs.scenarios`), shipped in
``simulation/app/stories/``: its parameters and events are what the app builds. What the
app adds is which organisation to show first (a selection, resolved on the built model).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from simulation.runs.scenarios import Scenario

STORY_DIRECTORY = Path(__file__).with_name("stories")


@dataclass(frozen=True)
class Story:
    """A preset story.

    Attributes:
        name: The scenario's name (its file is ``<name>.toml``).
        title: What the app's story selector shows.
        shown_orgs: The organisations to show first (an ``orgs`` selection); the first
            one selected is shown.
    """

    name: str
    title: str
    shown_orgs: str

    @property
    def path(self) -> Path:
        """The story's scenario file."""
        return STORY_DIRECTORY / f"{self.name}.toml"

    def scenario(self) -> Scenario:
        """The story's scenario, read (and checked) from its file."""
        return _load(self.path)


@cache
def _load(path: Path) -> Scenario:
    return Scenario.load(path)


#: The stories, in the order the app lists them.
STORIES: dict[str, Story] = {
    story.name: story
    for story in (
        Story("unexposed", "The unexposed organisation", "exposure:none"),
        Story("lone-champion", "The lone champion who leaves", "with_peers"),
        Story("le-leader", "The organisation with an LE leader", "with_peers"),
    )
}

#: What the story selector offers when no story is loaded.
NO_STORY = "none"
