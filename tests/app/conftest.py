"""Fixtures of the app tests: an environment under which no process reaches off this machine."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

#: Holds ``sitecustomize.py``: an audit hook that records and refuses any network call off
#: this machine in every Python process started with it on ``PYTHONPATH``.
NO_EGRESS = Path(__file__).parent / "no_egress"


def egress_environment(log: Path) -> dict[str, str]:
    """This environment with the no-egress hook on, recording to ``log``.

    Args:
        log: Where each refused call is written, one line each (absent if none).

    Returns:
        The environment for a subprocess.
    """
    environment = dict(os.environ)
    path = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = str(NO_EGRESS) + (os.pathsep + path if path else "")
    environment["LEWSIM_EGRESS_LOG"] = str(log)
    return environment


@pytest.fixture(scope="session")
def no_egress() -> Callable[[Path], dict[str, str]]:
    """:func:`egress_environment`, for tests that start ``lewsim app``."""
    return egress_environment
