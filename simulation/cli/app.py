"""``lewsim app``: serve the educator's app (Solara) on this machine.

The app lives in :mod:`simulation.app`; this command does not import it (the command
line and the app are separate layers), it starts Solara's server on the app's module in
a child process (:mod:`simulation.app.server`). So that nothing the server does calls out
of the machine, it turns off Solara's usage telemetry and its check for a newer version
on PyPI, and serves the front-end from the installed ``solara-assets`` package, never
from a CDN.

The address is checked before the server starts (a port in use or a host that is not
this machine's is a one-line error, exit status 2), "serving on" is printed only once the
server accepts connections, and the server never outlives this command: it watches a
pipe that only this process holds (:func:`simulation.runs.pool.exit_with_parent`), so it
exits even when this command is killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from simulation.cli.command import Command
from simulation.cli.options import SectorOption
from simulation.core.errors import InputError
from simulation.core.sector_file import SECTOR_ENVIRONMENT, read_sector
from simulation.core.wording import shorten

#: Where Solara's server may fetch front-end files from: nowhere (a closed local port).
NO_CDN = "http://127.0.0.1:9/npm/"

#: The module Solara serves (its ``Page`` component is the app).
APP_MODULE = "simulation.app.page"
#: The module that runs Solara's server and exits when this command ends.
SERVER_MODULE = "simulation.app.server"

#: Seconds to wait for the server to stop after this command closes its pipe.
STOP_SECONDS = 10.0
#: How often (seconds) to try the port while the server starts.
_PROBE_SECONDS = 0.2

HELP = (
    "Serve the educator's interactive app: an organisation's network, the sector and "
    "live time series, with levers, Play/Step and intervention buttons.\n\n"
    "It listens on 127.0.0.1 (this machine only) unless --host says otherwise; open "
    "the address it prints in a browser once it is serving. It works offline: it sends no "
    "telemetry and checks for no updates. "
    "Stop it with Ctrl-C.\n\n"
    "With --sector FILE the app starts on your own organisations (a sector file, see "
    "experiments/sectors/); the sidebar's Sector chooser also offers the shipped ones.\n\n"
    "Examples: lewsim app; lewsim app --port 9000; lewsim app --sector "
    "experiments/sectors/riverside.toml; lewsim app --host 0.0.0.0 (a room's "
    "network: anyone who can reach this machine can use the app)"
)


def solara_environment(sector: Path | None = None) -> dict[str, str]:
    """The environment of the server: this one, with Solara's telemetry and CDN turned off.

    Solara reads its settings from environment variables whatever their case, the last
    one found winning, so any spelling of these settings already set is removed first.

    Args:
        sector: A sector file for the app to start with (passed to the served app in
            :data:`SECTOR_ENVIRONMENT`).

    Returns:
        The environment variables.
    """
    forced = {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        # Solara's server fetches a front-end file it does not have from a public CDN. The
        # installed solara-assets has them all; pointing the CDN at a closed local port
        # makes sure a missing one fails here instead of going out to the internet.
        "SOLARA_ASSETS_CDN": NO_CDN,
        # Solara serves those files itself unless it thinks it runs in VS Code, Colab or
        # Voila, where the browser would fetch them from the CDN instead; always serve them.
        "SOLARA_ASSETS_PROXY": "True",
    }
    environment = {name: value for name, value in os.environ.items() if name.upper() not in forced}
    environment.pop(SECTOR_ENVIRONMENT, None)
    if sector is not None:
        environment[SECTOR_ENVIRONMENT] = str(sector.resolve())
    return environment | forced


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the app.

    Args:
        host: Address to listen on.
        port: Port to listen on.

    Returns:
        The argument list (this Python, :data:`SERVER_MODULE`, ``run`` and Solara's
        options, without its check for a newer version on PyPI).
    """
    return [
        sys.executable, "-m", SERVER_MODULE, "run", APP_MODULE,
        "--host", host, "--port", str(port), "--production", "--no-open",
        "--no-check-version",
    ]  # fmt: skip


def listen_address(host: str, port: int) -> tuple[Any, ...]:
    """Check that the server can listen on ``host``:``port``, and where to reach it then.

    Every address ``host`` stands for is bound once, as the server will bind it (with
    ``SO_REUSEADDR`` on POSIX, so that a port that was just freed is not refused), and
    released at once.

    Args:
        host: Address or name to listen on (``--host``).
        port: Port (``--port``).

    Returns:
        A socket address to connect to once the server listens (for an address of every
        interface, such as 0.0.0.0, the loopback address of its family), with its family
        first: ``(family, address)``.

    Raises:
        InputError: For a host that is no address or host name at all (a URL, a space,
            ``host:port``; refused before any lookup), that is no address of this machine,
            a port in use or one this user may not listen on.
    """
    problem = _host_form_problem(host, port)
    if problem:
        raise InputError(f"--host = {shorten(host, 60)!r}: {problem}")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(
            f"--host = {host!r}: not an address or name this machine knows ({reason}); "
            "use 127.0.0.1 (this machine only) or an address of this machine"
        ) from None
    addresses = list(dict.fromkeys((family, address) for family, _, _, _, address in found))
    for family, address in addresses:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            if os.name == "posix":
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise _address_error(host, port, address[0], error) from None
    family, address = addresses[0]
    if address[0] in ("0.0.0.0", "::"):
        address = ("127.0.0.1" if family == socket.AF_INET else "::1", *address[1:])
    return family, address


def _host_form_problem(host: str, port: int) -> str | None:
    """What makes ``host`` no address or host name at all, found before any name lookup."""
    if len(host) > 253:
        return f"{len(host):,} characters, more than any host name has (253)"
    if any(character.isspace() or not character.isprintable() for character in host):
        return "holds a space or a control character; give an address such as 127.0.0.1"
    if "/" in host:
        return "an address, not a URL; e.g. --host 127.0.0.1 (and the port in --port)"
    if host.startswith("[") or host.endswith("]"):
        return f"an address without brackets, e.g. --host {host.strip('[]')}"
    if host.count(":") == 1:
        name, _, number = host.partition(":")
        return f"the port goes in --port: --host {name} --port {number or port}"
    return None


def _address_error(host: str, port: int, address: str, error: OSError) -> InputError:
    """The message for an address the server cannot listen on."""
    if error.errno == errno.EADDRINUSE:
        return InputError(
            f"--port = {port}: already in use on {address} (another server, or another "
            "lewsim app, is listening there); choose another port, e.g. --port "
            f"{port + 1 if port < 65535 else port - 1}"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return InputError(
            f"--host = {host!r}: {address} is not an address of this machine; use 127.0.0.1 "
            "(this machine only), 0.0.0.0 (every network) or one of its addresses"
        )
    if error.errno == errno.EACCES:
        return InputError(
            f"--port = {port}: this user may not listen on it ({error.strerror}); ports "
            "below 1024 need administrator rights, use one from 1024 to 65535"
        )
    return InputError(f"--host = {host!r}, --port = {port}: cannot listen there ({error.strerror})")


def _serving(server: subprocess.Popen[bytes], family: int, address: tuple[Any, ...]) -> bool:
    """Wait until the server accepts connections (True) or has exited (False)."""
    while server.poll() is None:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(2.0)
            try:
                probe.connect(address)
            except OSError:
                time.sleep(_PROBE_SECONDS)
            else:
                return True
    return False


def start_server(
    command: list[str],
    environment: dict[str, str],
    address: tuple[Any, ...],
    announce: Callable[[], None],
) -> int | None:
    """Run the server in a child process until it stops (Ctrl-C stops both).

    The child's standard input is a pipe this process holds: closing it (here, or by the
    system when this process ends however it ends) makes the server exit.

    Args:
        command: The server's command (:func:`server_command`).
        environment: Its environment (:func:`solara_environment`).
        address: ``(family, socket address)`` to try for the server (:func:`listen_address`).
        announce: Called once the server accepts connections.

    Returns:
        The server's exit status (0 after Ctrl-C), or None if it exited before it served.
    """
    server = subprocess.Popen(command, env=environment, stdin=subprocess.PIPE)
    try:
        if not _serving(server, *address):
            return None
        announce()
        return server.wait()
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reaches the server too: let it shut down on its own first.
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=STOP_SECONDS)
        return 0
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server if it still runs: close its pipe, then kill it if it lingers."""
    if server.stdin is not None:
        server.stdin.close()
    try:
        server.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def app_command(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (1 to 65535).")] = 8765,
    sector_file: SectorOption = None,
) -> None:
    """Serve the app (help: :data:`HELP`)."""
    with Command("app") as command:
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
        if sector_file is not None:
            read_sector(sector_file)  # a bad file is refused here, not in the browser
        address = listen_address(host, port)
        url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        status = start_server(
            server_command(host, port),
            solara_environment(sector_file),
            address,
            lambda: typer.echo(f"lewsim app: serving on {url} (Ctrl-C stops it)"),
        )
        if status is None:
            typer.echo(
                f"{command.prefix}: error: the server stopped before it served on {url}; "
                "its message is above",
                err=True,
            )
            raise typer.Exit(1)
        if status:
            how = f"was killed by signal {-status}" if status < 0 else f"failed (status {status})"
            typer.echo(f"{command.prefix}: error: the server on {url} {how}", err=True)
            raise typer.Exit(1)
