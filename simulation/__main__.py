"""The ``lewsim`` command (console script and ``python -m simulation``), loaded when called.

The command line (:mod:`simulation.cli`: typer, matplotlib, the report builder) is
imported inside :func:`main`, not at the top, because a pool's worker processes are
started with "spawn", which re-runs the parent's main script in each worker before its
first job: for ``lewsim`` that is the console script, which imports this module. Kept
cheap, it lets the workers of ``lewsim run``, ``compare`` and ``sweep`` load the core
(what their jobs need) and nothing above it.
"""

from __future__ import annotations


def main() -> None:
    """Run the ``lewsim`` command line (named ``lewsim`` in its usage and errors)."""
    from simulation.cli import app

    app(prog_name="lewsim")


if __name__ == "__main__":
    main()
