"""``lewsim app``: serve the educator's app (Solara) on this machine.

The app lives in :mod:`simulation.app`; this command does not import it (the command
line and the app are separate layers), it starts Solara's server on the app's module in
a child process. Before that it turns off Solara's usage telemetry, so that nothing the
app does calls out of the machine: the front-end itself is served from the installed
``solara-assets`` package, not from a CDN.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from typing import Annotated

import typer

from simulation.cli.common import Command
from simulation.errors import InputError

#: Where Solara's server may fetch front-end files from: nowhere (a closed local port).
NO_CDN = "http://127.0.0.1:9/npm/"

#: The module Solara serves (its ``Page`` component is the app).
APP_MODULE = "simulation.app.page"

HELP = (
    "Serve the educator's interactive app: an organisation's network, the sector and "
    "live time series, with levers, Play/Step and intervention buttons.\n\n"
    "It listens on 127.0.0.1 (this machine only) unless --host says otherwise; open "
    "the address it prints in a browser. It works offline and sends no telemetry. "
    "Stop it with Ctrl-C.\n\n"
    "Examples: lewsim app; lewsim app --port 9000; lewsim app --host 0.0.0.0 (a room's "
    "network: anyone who can reach this machine can use the app)"
)


def solara_environment() -> dict[str, str]:
    """The environment of the server: this one, with Solara's telemetry and CDN turned off.

    Returns:
        The environment variables.
    """
    environment = dict(os.environ)
    environment["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    # Solara's server fetches a front-end file it does not have from a public CDN. The
    # installed solara-assets has them all; pointing the CDN at a closed local port makes
    # sure a missing one fails here instead of going out to the internet.
    environment["SOLARA_ASSETS_CDN"] = NO_CDN
    return environment


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the app.

    Args:
        host: Address to listen on.
        port: Port to listen on.

    Returns:
        The argument list (this Python, ``-m solara run``).
    """
    return [
        sys.executable, "-m", "solara", "run", APP_MODULE,
        "--host", host, "--port", str(port), "--production", "--no-open",
    ]  # fmt: skip


def start_server(command: list[str], environment: dict[str, str]) -> int:
    """Run the server in a child process until it stops (Ctrl-C stops both).

    Args:
        command: The server's command (:func:`server_command`).
        environment: Its environment (:func:`solara_environment`).

    Returns:
        The server's exit status (0 after Ctrl-C).
    """
    try:
        return subprocess.call(command, env=environment)
    except KeyboardInterrupt:
        return 0


def app_command(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (1 to 65535).")] = 8765,
) -> None:
    """Serve the app (help: :data:`HELP`)."""
    with Command("app"):
        if not 1 <= port <= 65535:
            raise InputError(f"--port = {port}: must be an integer from 1 to 65535")
        if not host.strip():
            raise InputError("--host = '': must be an address such as 127.0.0.1")
        missing = [
            name for name in ("solara", "solara_assets") if importlib.util.find_spec(name) is None
        ]
        if missing:
            raise InputError(
                f"the app needs {', '.join(missing)}, which is not installed; install the "
                "app extra: pip install -e '.[app]' (make run and make test do it)"
            )
        typer.echo(f"lewsim app: serving on http://{host}:{port} (Ctrl-C stops it)")
        status = start_server(server_command(host, port), solara_environment())
        if status:
            raise typer.Exit(status)
