"""The errors a user can fix, shared by every layer.

Every problem with what a user asked for (a parameter, a scenario or sweep file, a
command-line option, an output directory) is raised as a :class:`LewsimError`. Its
message says what is wrong, naming the file or argument, the field, the value and what is
allowed. The command line prints any of them the same way, as one ``lewsim COMMAND:
error: ...`` message with exit status 2, and writes nothing.
"""

from __future__ import annotations


class LewsimError(ValueError):
    """A problem with the user's input or destination that the user can fix."""


class InputError(LewsimError):
    """Bad input: an option, a value or a file's content."""


class OutputError(LewsimError):
    """A result cannot be written where asked (the message names the path and why)."""


class SettingsFileError(InputError):
    """Why a settings file cannot be read (the message follows the file's name).

    Raised by the readers of scenario, sweep and posterior files; their callers put the
    file's name and kind in front of it.
    """
