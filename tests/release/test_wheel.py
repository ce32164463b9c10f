"""The release installs: the wheel that ``python -m build`` makes carries what lewsim reads.

``python -m build`` makes the sdist and, from it, the wheel (so the sdist is complete too).
The wheel is installed into a fresh virtual environment and used from a directory outside
the checkout, so nothing can come from the source tree: the commands must find the
packaged posterior, the report templates, the app's stories and the validation plan in
the installed package. The dependencies are not downloaded again: a ``.pth`` line puts
this environment's site-packages after the new one's, and the editable install of the
checkout there is never activated (its ``.pth`` hook is not processed from a plain path).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh environment with the built wheel installed; returns its ``bin`` directory."""
    work = tmp_path_factory.mktemp("release")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheels = list(dist.glob("lewsim-*.whl"))
    assert len(wheels) == 1 and list(dist.glob("lewsim-*.tar.gz")), sorted(dist.iterdir())
    environment = work / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheels[0]],
        check=True,
        capture_output=True,
    )
    new_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(new_site) / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return environment / "bin"


def run(bin_directory: Path, cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Run a command of the installed environment in ``cwd``, outside the checkout."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment["TQDM_DISABLE"] = "1"
    done = subprocess.run(
        [str(bin_directory / command[0]), *command[1:]],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_is_what_runs(installed, tmp_path):
    done = run(installed, tmp_path, "python", "-c", "import simulation; print(simulation.__file__)")
    assert Path(done.stdout.strip()).is_relative_to(installed.parent), done.stdout
    assert not Path(done.stdout.strip()).is_relative_to(ROOT)


def test_lewsim_runs_from_the_wheel(installed, tmp_path):
    run(installed, tmp_path, "lewsim", "run", "--steps", "12", "--replications", "2", "--out", "a")
    assert (tmp_path / "a" / "timeseries.parquet").is_file()
    records = json.loads(run(installed, tmp_path, "lewsim", "params", "--json").stdout)
    assert {record["name"] for record in records} >= {"n_orgs", "pay_parity"}


def test_the_packaged_posterior_ships(installed, tmp_path):
    done = run(installed, tmp_path, "lewsim", "run", "--posterior", "--steps", "12", "--out", "p")
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert "posterior" in json.dumps(manifest)
    assert "posterior" in done.stdout + done.stderr


def test_templates_stories_and_validation_plan_ship(installed, tmp_path):
    sector = "steps = 12\nreplications = 2\nseed = 1\n[parameters]\nn_orgs = 4\n"
    (tmp_path / "base.toml").write_text('name = "base"\ndescription = "b"\n' + sector)
    (tmp_path / "plan.toml").write_text(
        'name = "plan"\ndescription = "p"\n'
        + sector
        + '[[events]]\nmonth = 2\ntype = "appoint_champion"\nlevel = "executive"\norgs = "all"\n'
    )
    run(installed, tmp_path, "lewsim", "compare", "base.toml", "plan.toml", "--out", "c")
    assert "<html" in (tmp_path / "c" / "report.html").read_text().lower()
    script = (
        "from simulation.app.stories import STORIES\n"
        "from simulation.runs.validation.plan import load_plan\n"
        "print(sorted(STORIES), [STORIES[n].scenario().name for n in sorted(STORIES)])\n"
        "print(load_plan() is not None)\n"
    )
    done = run(installed, tmp_path, "python", "-c", script)
    assert done.stdout.splitlines()[-1] == "True"
    assert "lone-champion" in done.stdout
