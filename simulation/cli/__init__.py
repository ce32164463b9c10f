"""The ``lewsim`` command line: one module per command, registered on :data:`app`.

- ``lewsim run`` (:mod:`simulation.cli.run`): replications, from the defaults or a scenario;
- ``lewsim compare`` (:mod:`simulation.cli.compare`): scenarios on paired runs;
- ``lewsim validate`` (:mod:`simulation.cli.validate`): the seed study's patterns;
- ``lewsim params`` (:mod:`simulation.cli.params`): the model parameters;
- ``lewsim sweep``, ``analyze`` and ``export`` (:mod:`simulation.cli.sweep`): parameter sweeps;
- ``lewsim app`` (:mod:`simulation.cli.app`): the educator's interactive app;
- ``lewsim sector export`` (:mod:`simulation.cli.sector`): a generated sector as a sector file.

Commands parse their options, call the runs layer and render through the outputs layer;
what they share is a module a job:

- :mod:`simulation.cli.command`: the check / time / run / write sequence and the one way
  errors are printed (``lewsim COMMAND: error: MESSAGE`` on stderr, exit status 2, nothing
  written);
- :mod:`simulation.cli.options`: the options several commands take, and their checks;
- :mod:`simulation.cli.destinations`: the destination policy (a new numbered directory
  unless ``--out``; earlier results are replaced only with ``--force``);
- :mod:`simulation.cli.footprints`: whether a job fits this machine's memory, and how long
  it may take;
- :mod:`simulation.cli.assignments`: ``--set NAME=VALUE``;
- :mod:`simulation.cli.text`: tables as aligned columns.
"""

from __future__ import annotations

from typing import Annotated

import typer

from simulation import __version__
from simulation.cli import app as app_cli
from simulation.cli import compare, params, run, sector, sweep, validate

app = typer.Typer(
    name="lewsim",
    help=(
        "Agent-based simulation of Lived Experience (peer) workforce growth in "
        "mental-health organisations."
    ),
    no_args_is_help=True,
    add_completion=False,
    # Plain help: flags show no value placeholder, defaults show as [default: ...], and
    # help text is printed as written (rich would read "[default: ...]" as markup).
    rich_markup_mode=None,
    # Locals of a failing run include whole data frames; printing them buries the error.
    pretty_exceptions_show_locals=False,
)


def _show_version(value: bool) -> None:
    """Print the version and stop (eager ``--version`` callback)."""
    if value:
        typer.echo(f"lewsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the lewsim version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Simulate the growth of the peer (Lived Experience) workforce in a mental-health sector.

    Run 'lewsim COMMAND --help' for the options of a command.
    """


app.command("run", help=run.HELP)(run.run_command)
app.command("compare", help=compare.HELP)(compare.compare_command)
app.command("validate", help=validate.HELP)(validate.validate_command)
app.command("params", help=params.HELP)(params.params_command)
app.command("sweep", help=sweep.SWEEP_HELP)(sweep.sweep_command)
app.command("analyze", help=sweep.ANALYZE_HELP)(sweep.analyze_command)
app.command("export", help=sweep.EXPORT_HELP)(sweep.export_command)
app.command("app", help=app_cli.HELP)(app_cli.app_command)
app.add_typer(sector.sector_app, name="sector")
