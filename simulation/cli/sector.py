"""``lewsim sector export``: a generated sector written as a sector file, a planner's template."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import tomli_w
import typer

from simulation.cli.assignments import check_parameters, parse_assignments
from simulation.cli.command import Command
from simulation.core.errors import InputError
from simulation.core.model import SectorModel
from simulation.core.sector_file import export_sector

EXPORT_HELP = (
    "Write the sector generated with --seed (and --set parameters) as a sector file "
    "(TOML): each organisation's staff, teams, exposure class, peer workers and LE "
    "leader, and the sector network as links. Edit it into your own organisations. Run "
    "as it is, one run with the same seed and parameters (simulate(seed=N, sector=FILE), "
    "or a scenario's replication whose seed is N) reproduces the generated run exactly; "
    "lewsim run --seed N is not that run: its replications' seeds are spawned from N.\n\n"
    "Example: lewsim sector export --seed 7 my-district.toml"
)

sector_app = typer.Typer(
    help="Sector files: your own organisations instead of the generated sector.",
    no_args_is_help=True,
)


@sector_app.command("export", help=EXPORT_HELP)
def export_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The sector file to write.")],
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="The run's seed (>= 0).")] = 0,
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="NAME=VALUE",
            help="Set a model parameter of the generated sector (as for lewsim run).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace FILE if it exists (a regular file, whatever it holds)."
        ),
    ] = False,
) -> None:
    """Write a generated sector as a sector file (help: :data:`EXPORT_HELP`)."""
    with Command("sector export"):
        if seed < 0:
            raise InputError(f"--seed must be a non-negative integer, got {seed}")
        params = parse_assignments(assignments or [])
        check_parameters(params)
        if not file.parent.is_dir():
            raise InputError(f"{file}: its folder {file.parent} does not exist")
        if file.exists() and not (force and file.is_file()):
            raise InputError(
                f"{file} exists; give --force to replace it"
                if file.is_file()
                else f"{file} exists and is not a file"
            )
        model = SectorModel(rng=seed, **params)
        settings = ", ".join(f"{name} = {value!r}" for name, value in params.items())
        description = f"Exported by lewsim sector export --seed {seed}" + (
            f" with {settings}" if settings else ""
        )
        text = tomli_w.dumps(export_sector(model, description))
        # Written beside the target and renamed into place: never a half-written file.
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=file.parent or Path("."), delete=False, suffix=".tmp"
        ) as handle:
            handle.write(text)
        os.replace(handle.name, file)
        typer.echo(f"Wrote {file}: {model.n_orgs} organisations (seed {seed})")
