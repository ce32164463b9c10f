"""The process ``lewsim app`` starts: Solara's server, which ends with the command.

``lewsim app`` runs ``python -m simulation.app.server`` followed by ``solara run``'s
arguments, with this process's standard input a pipe that only the command holds open.
Before Solara starts, a thread waits on that pipe (:func:`~simulation.runs.pool.exit_with_parent`,
as pool workers wait on theirs): when the command ends for any reason, SIGKILL included,
the pipe closes and the server exits at once instead of staying behind, still listening,
under PID 1. Run with no pipe (standard input a terminal), it does not watch.
"""

from __future__ import annotations

import os
import stat
import sys

from simulation.runs.pool import exit_with_parent


def main(arguments: list[str]) -> None:
    """Serve with Solara (``solara ARGUMENTS``), exiting when the command that started us ends.

    Args:
        arguments: Solara's command line after ``solara`` (``run MODULE --host ...``).
    """
    stdin = sys.stdin.fileno() if sys.stdin is not None else None
    if os.name == "posix" and stdin is not None and stat.S_ISFIFO(os.fstat(stdin).st_mode):
        exit_with_parent(stdin)
    # Imported only now: the watch above is on before Solara's slow imports.
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *arguments]
    solara_main()


if __name__ == "__main__":
    main(sys.argv[1:])
