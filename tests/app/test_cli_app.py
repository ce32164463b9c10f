"""``lewsim app``: serves the app on localhost, offline and without telemetry."""

from __future__ import annotations

import importlib
import socket
import sys

import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.cli.app import (
    APP_MODULE,
    SERVER_MODULE,
    listen_address,
    server_command,
    solara_environment,
)

runner = CliRunner()
# The module, not the Typer app that simulation.cli also calls ``app``.
command_module = importlib.import_module("simulation.cli.app")


def test_the_server_runs_the_app_module_on_the_given_address():
    command = server_command("127.0.0.1", 8765)
    assert command[:5] == [sys.executable, "-m", SERVER_MODULE, "run", APP_MODULE]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8765"
    assert "--no-open" in command


def test_solara_telemetry_version_check_and_cdn_are_off():
    environment = solara_environment()
    assert environment["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert environment["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert environment["SOLARA_ASSETS_PROXY"] == "True"
    assert "--no-check-version" in server_command("127.0.0.1", 8765)


def test_a_users_own_solara_settings_in_any_case_cannot_turn_telemetry_back_on(monkeypatch):
    # Solara reads its settings case-insensitively, the last spelling winning.
    monkeypatch.setenv("solara_telemetry_mixpanel_enable", "True")
    monkeypatch.setenv("Solara_Assets_Cdn", "https://cdn.jsdelivr.net/npm/")
    environment = solara_environment()
    spellings = [name for name in environment if name.upper().startswith("SOLARA_")]
    assert sorted(spellings) == [
        "SOLARA_ASSETS_CDN",
        "SOLARA_ASSETS_PROXY",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE",
    ]
    assert environment["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_solara_serves_its_front_end_itself_even_from_a_vs_code_terminal(monkeypatch):
    # Solara would have the browser fetch the front-end from the CDN in VS Code; the
    # environment overrides that guess.
    monkeypatch.setenv("VSCODE_PID", "1")
    monkeypatch.setenv("SOLARA_ASSETS_PROXY", "False")
    assert solara_environment()["SOLARA_ASSETS_PROXY"] == "True"


def fake_server(started, status=0):
    """A stand-in for start_server that records the command and says it serves."""

    def start(command, environment, address, announce):
        started.append((command, address))
        announce()
        return status

    return start


def test_defaults_bind_to_localhost(monkeypatch):
    started = []
    monkeypatch.setattr(command_module, "listen_address", lambda host, port: (2, (host, port)))
    monkeypatch.setattr(command_module, "start_server", fake_server(started))
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 0, result.output
    ((command, _),) = started
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8765"
    assert "http://127.0.0.1:8765" in result.output


def test_a_bad_port_or_host_is_refused_with_status_2(monkeypatch):
    monkeypatch.setattr(command_module, "start_server", lambda *args: 1 / 0)
    result = runner.invoke(app, ["app", "--port", "70000"])
    assert result.exit_code == 2
    assert "--port = 70000: must be an integer from 1 to 65535" in result.stderr
    result = runner.invoke(app, ["app", "--host", " "])
    assert result.exit_code == 2
    assert "--host" in result.stderr


def test_the_app_module_is_importable_and_has_a_page():
    module = importlib.import_module(APP_MODULE)
    assert callable(module.Page)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_in_use_is_refused_before_the_server_starts_or_anything_is_printed(monkeypatch):
    monkeypatch.setattr(command_module, "start_server", lambda *args: 1 / 0)
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = runner.invoke(app, ["app", "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"lewsim app: error: --port = {port}: already in use on 127.0.0.1")


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("192.0.2.1", "--host = '192.0.2.1': 192.0.2.1 is not an address of this machine"),
        ("127.0.0.1 ", "--host = '127.0.0.1 ': holds a space"),
        ("127.0.0.1\t", "holds a space or a control character"),
        ("[::1]", "--host = '[::1]': an address without brackets, e.g. --host ::1"),
        ("http://127.0.0.1", "an address, not a URL"),
        ("127.0.0.1:9000", "the port goes in --port: --host 127.0.0.1 --port 9000"),
        ("a" * 10_000, "10,000 characters, more than any host name has (253)"),
    ],
)
def test_a_host_that_is_not_this_machines_is_refused_in_one_line(monkeypatch, host, words):
    monkeypatch.setattr(command_module, "start_server", lambda *args: 1 / 0)
    real_lookup = socket.getaddrinfo

    def numeric_lookup_only(name, *args, **kwargs):
        # Only an address needs no lookup: a form that is no host name at all must be
        # refused before any name is looked up (which could wait on a DNS server).
        socket.inet_pton(socket.AF_INET6 if ":" in name else socket.AF_INET, name)
        return real_lookup(name, *args, **kwargs)

    monkeypatch.setattr(command_module.socket, "getaddrinfo", numeric_lookup_only)
    result = runner.invoke(app, ["app", "--host", host, "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("lewsim app: error: ") and words in line
    assert len(line) < 200


def test_a_low_port_this_user_may_not_use_is_refused(monkeypatch):
    monkeypatch.setattr(command_module, "start_server", lambda *args: 1 / 0)
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 1))
        except PermissionError:
            allowed = False
        else:
            allowed = True
    if allowed:
        pytest.skip("this user may listen on ports below 1024 (root)")
    result = runner.invoke(app, ["app", "--port", "1"])
    assert result.exit_code == 2
    assert "--port = 1: this user may not listen on it" in result.stderr


def test_every_interface_is_reached_through_loopback():
    port = free_port()
    assert listen_address("0.0.0.0", port) == (socket.AF_INET, ("127.0.0.1", port))
    assert listen_address("127.0.0.1", port) == (socket.AF_INET, ("127.0.0.1", port))


def test_a_server_that_stops_before_serving_is_an_error_and_serving_is_never_said(monkeypatch):
    # As when another program takes the port between the check and the server's start.
    failing = [sys.executable, "-c", "import sys; sys.exit(3)"]
    monkeypatch.setattr(command_module, "server_command", lambda host, port: failing)
    result = runner.invoke(app, ["app", "--port", str(free_port())])
    assert result.exit_code == 1, result.output
    assert "serving on" not in result.stdout
    assert "lewsim app: error: the server stopped before it served on http://127.0.0.1:" in (
        result.stderr
    )


def test_the_url_of_an_ipv6_host_is_bracketed(monkeypatch):
    started = []
    monkeypatch.setattr(command_module, "listen_address", lambda host, port: (10, (host, port)))
    monkeypatch.setattr(command_module, "start_server", fake_server(started))
    result = runner.invoke(app, ["app", "--host", "::1", "--port", "9000"])
    assert result.exit_code == 0, result.output
    assert "serving on http://[::1]:9000" in result.stdout
