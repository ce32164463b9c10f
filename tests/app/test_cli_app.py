"""``lewsim app``: serves the app on localhost, offline and without telemetry."""

from __future__ import annotations

import importlib
import sys

from typer.testing import CliRunner

from simulation.cli import app
from simulation.cli.app import APP_MODULE, server_command, solara_environment

runner = CliRunner()
# The module, not the Typer app that simulation.cli also calls ``app``.
command_module = importlib.import_module("simulation.cli.app")


def test_the_server_runs_the_app_module_on_the_given_address():
    command = server_command("127.0.0.1", 8765)
    assert command[:5] == [sys.executable, "-m", "solara", "run", APP_MODULE]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8765"
    assert "--no-open" in command


def test_solara_telemetry_is_off_and_its_server_fetches_nothing_from_a_cdn():
    environment = solara_environment()
    assert environment["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert environment["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")


def test_defaults_bind_to_localhost(monkeypatch):
    started = []
    monkeypatch.setattr(command_module, "start_server", lambda cmd, env: started.append(cmd) or 0)
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 0, result.output
    (command,) = started
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8765"
    assert "http://127.0.0.1:8765" in result.output


def test_a_bad_port_or_host_is_refused_with_status_2(monkeypatch):
    monkeypatch.setattr(command_module, "start_server", lambda cmd, env: 1 / 0)
    result = runner.invoke(app, ["app", "--port", "70000"])
    assert result.exit_code == 2
    assert "--port = 70000: must be an integer from 1 to 65535" in result.stderr
    result = runner.invoke(app, ["app", "--host", " "])
    assert result.exit_code == 2
    assert "--host" in result.stderr


def test_the_app_module_is_importable_and_has_a_page():
    module = importlib.import_module(APP_MODULE)
    assert callable(module.Page)
