"""``lewsim app``'s server: it calls nothing off this machine and never outlives the command.

The server is started for real (``python -m simulation app``, Solara and uvicorn) on a
free port. Every Python process of it runs an audit hook (``tests/app/no_egress``, on
``PYTHONPATH``; see ``conftest.py``) that records and refuses any connection, send or
name lookup off this machine, so Solara's check for a newer version on PyPI or its
telemetry would show here (and send nothing). The command is then killed with SIGKILL:
its server must exit with it and free the port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: Bounds of the waits below (seconds): generous, for a loaded machine; they bound a hang,
#: they are not measured.
START_SECONDS = 180
EXIT_SECONDS = 60

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc (Linux)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for PID 1 to reap it is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@dataclass
class Served:
    """A running ``lewsim app`` and what it printed so far."""

    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def read_to_end(self) -> str:
        """All it printed, once it and its server have closed their output."""
        if self.reader is not None:
            self.reader.join(timeout=EXIT_SECONDS)
        return self.output

    @property
    def output(self) -> str:
        return "".join(self.lines)


def _read_lines(served: Served) -> None:
    assert served.process.stdout is not None
    for line in served.process.stdout:
        served.lines.append(line)


#: Settings a user may have that would make Solara call out: telemetry on (twice: Solara
#: reads any case, the last spelling winning), the public CDN, and the guess that it runs
#: in VS Code (where Solara would have the browser fetch its front-end from the CDN).
CALLING_OUT = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "True",
    "solara_telemetry_mixpanel_enable": "True",
    "SOLARA_ASSETS_CDN": "https://cdn.jsdelivr.net/npm/",
    "solara_assets_proxy": "False",
    "VSCODE_PID": "1",
}


@pytest.fixture
def served(tmp_path, no_egress) -> Iterator[Served]:
    """``lewsim app`` on a free port with the no-egress hook, once it says it serves.

    It starts from an environment that asks Solara to call out (:data:`CALLING_OUT`).
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulation", "app", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=CALLING_OUT | no_egress(tmp_path / "egress.log"),
        start_new_session=True,
        cwd=tmp_path,
    )
    result = Served(process, port)
    result.reader = threading.Thread(target=_read_lines, args=(result,), daemon=True)
    result.reader.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while "serving on" not in result.output:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"lewsim app did not start:\n{result.output[-3000:]}")
            time.sleep(0.2)
        yield result
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_the_hook_sees_and_blocks_a_call_off_this_machine(tmp_path, no_egress):
    # What the server test relies on: Solara's own version check, run under the hook, is
    # recorded (and refused, so nothing is sent).
    log = tmp_path / "egress.log"
    code = "import solara.__main__ as m; m._check_version()"
    subprocess.run([sys.executable, "-c", code], env=no_egress(log), check=True, timeout=120)
    assert "pypi.org" in log.read_text()


@pytest.mark.slow
def test_the_server_calls_nothing_off_this_machine(served, tmp_path):
    url = f"http://127.0.0.1:{served.port}/"
    with urllib.request.urlopen(url, timeout=30) as response:
        page = response.read().decode()
    assert response.status == 200 and "<html" in page.lower()
    assert "lewsim app: serving on http://127.0.0.1" in served.output
    assert "New version" not in served.output
    log = tmp_path / "egress.log"
    assert not log.exists(), log.read_text()


@pytest.mark.slow
def test_the_server_exits_with_the_command_killed_by_sigkill(served):
    (server,) = children(served.process.pid)
    assert running(server)
    assert not port_is_free(served.port)
    second = subprocess.run(
        [sys.executable, "-m", "simulation", "app", "--port", str(served.port)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 2
    assert second.stdout == ""
    assert second.stderr == (
        f"lewsim app: error: --port = {served.port}: already in use on 127.0.0.1 (another "
        "server, or another lewsim app, is listening there); choose another port, e.g. "
        f"--port {served.port + 1}\n"
    )

    served.process.send_signal(signal.SIGKILL)
    served.process.wait()

    # Its main thread turns zombie first; the port is free once its last thread has gone.
    deadline = time.monotonic() + EXIT_SECONDS
    while (running(server) or not port_is_free(served.port)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(server), f"server {server} still runs after its command was killed"
    assert port_is_free(served.port)


@pytest.mark.slow
def test_sigterm_stops_the_command_and_its_server(served):
    (server,) = children(served.process.pid)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=EXIT_SECONDS) == 143
    assert not running(server)  # the command waits for its server before it exits
    assert "lewsim app: interrupted; nothing written" in served.read_to_end()


@pytest.mark.slow
def test_a_server_killed_under_the_command_is_reported_and_the_command_fails(served):
    (server,) = children(served.process.pid)
    os.kill(server, signal.SIGKILL)
    assert served.process.wait(timeout=EXIT_SECONDS) == 1
    assert (
        f"lewsim app: error: the server on http://127.0.0.1:{served.port} was killed by signal 9"
        in served.read_to_end()
    )


def test_the_watch_ends_a_process_when_its_pipe_closes():
    # The mechanism alone, without Solara: a process watching its standard input exits
    # once the only writer closes it (as when the command that holds it dies).
    code = (
        "import sys, time\n"
        "from simulation.runs.pool import exit_with_parent\n"
        "exit_with_parent(sys.stdin.fileno())\n"
        "print('watching', flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline() == "watching\n"
    child.stdin.close()
    assert child.wait(timeout=EXIT_SECONDS) == 1
