"""The manifest: how a result was made, and the proof that a directory holds lewsim's result.

Every results directory lewsim writes carries a ``manifest.json`` that describes the run well
enough to reproduce it (lewsim and package versions, git commit, command line, seeds,
every parameter, timing) and lists the files the directory holds. Its ``format`` field
marks it as lewsim's: the writer (:mod:`simulation.outputs.files`) replaces an existing
directory only when its manifest parses as a :class:`Manifest` and the directory holds
nothing but the files that manifest lists, so a user's own files are never deleted.

A command may add its own sections (``scenario``, ``patterns_held``, ``baseline``...) to
the manifest; they are written after the common fields. The JSON text is made by one
function, :func:`manifest_json`.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    field_serializer,
    field_validator,
    model_validator,
)

from simulation import __version__
from simulation.core.parameters import validate_parameters

MANIFEST_JSON = "manifest.json"

#: The value of a manifest's ``format`` field: only lewsim writes it, and a directory whose
#: manifest lacks it is never treated as a lewsim result.
MANIFEST_FORMAT = "lewsim-results/1"

#: Distributions whose versions are recorded in the manifest.
RECORDED_PACKAGES: tuple[str, ...] = (
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "pydantic",
    "pyarrow",
    "matplotlib",
    "networkx",
)

#: A file name the writer accepts: plain, visible, no directory part.
RESULT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

_GIT_TIMEOUT_SECONDS = 10


class Manifest(BaseModel):
    """Provenance of one result, as written to its ``manifest.json``.

    Commands add their own sections as extra keys (any JSON value). The manifest reads
    like the JSON object it is written as: ``manifest["seed"]``, ``"scenario" in
    manifest``, ``manifest.get("scenario")``, and ``manifest["patterns_held"] = 7`` adds
    a section.

    Attributes:
        format: :data:`MANIFEST_FORMAT`, the mark of a lewsim result.
        lewsim_version: The package version that made the result.
        git_commit: Commit of the code, or ``None`` outside a git work tree.
        git_dirty: Whether tracked files differed from that commit (``None`` if unknown).
        python_version: The interpreter's version.
        platform: The operating system, as :func:`platform.platform` gives it.
        packages: Versions of :data:`RECORDED_PACKAGES` (``None`` if not installed).
        command_line: The command as one shell-quoted line.
        argv: The command's argument vector.
        steps: Months simulated per replication.
        seed: The root seed.
        replications: The number of replications.
        seeds: Every replication's own seed, in order.
        params: Every model parameter, defaults included.
        started_at: When the run started (UTC).
        wall_time_seconds: How long the run took.
        files: The files of the results directory, filled in by the writer.
    """

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    format: Literal["lewsim-results/1"]
    lewsim_version: str
    git_commit: str | None
    git_dirty: bool | None
    python_version: str
    platform: str
    packages: dict[str, str | None]
    command_line: str
    argv: list[str]
    steps: PositiveInt
    seed: NonNegativeInt
    replications: PositiveInt
    seeds: list[NonNegativeInt]
    params: dict[str, Any]
    started_at: AwareDatetime
    wall_time_seconds: float = Field(ge=0, allow_inf_nan=False)
    files: list[str] = Field(default_factory=list)

    @field_validator("started_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_serializer("started_at")
    def _iso_format(self, value: datetime) -> str:
        # ISO 8601 with "+00:00", as Python writes it (pydantic's default would write "Z").
        return value.isoformat()

    @field_validator("files")
    @classmethod
    def _plain_names(cls, names: list[str]) -> list[str]:
        bad = [name for name in names if not RESULT_NAME.fullmatch(name)]
        if bad:
            raise ValueError(f"files must be plain file names, got {bad[0]!r}")
        return sorted(set(names))

    @model_validator(mode="after")
    def _one_seed_per_replication(self) -> Manifest:
        if len(self.seeds) != self.replications:
            raise ValueError(
                f"seeds must hold one seed per replication ({self.replications}), "
                f"got {len(self.seeds)}"
            )
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The manifest as plain JSON values: the common fields, then the sections."""
        return to_jsonable(self.model_dump(mode="json"))

    def __getitem__(self, key: str) -> Any:
        return self.to_json_dict()[key]

    def __contains__(self, key: object) -> bool:
        return key in self.to_json_dict()

    def get(self, key: str, default: Any = None) -> Any:
        """The JSON value of a field or section, or ``default`` if there is none."""
        return self.to_json_dict().get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value if key in type(self).model_fields else to_jsonable(value))


def build_manifest(
    *,
    steps: int,
    seed: int,
    replications: int,
    seeds: Sequence[int],
    params: Mapping[str, Any] | None,
    started_at: datetime,
    wall_time_seconds: float,
    command_line: Sequence[str] | None = None,
) -> Manifest:
    """Describe a run well enough to reproduce it.

    Args:
        steps: Months simulated per replication.
        seed: Root seed.
        replications: Number of replications.
        seeds: Per-replication seeds (from :func:`simulation.runs.replications.replication_seeds`).
        params: Parameter overrides of the run; the manifest records every parameter,
            defaults included.
        started_at: When the run started (timezone-aware; converted to UTC).
        wall_time_seconds: Elapsed wall-clock time of the run.
        command_line: The command's argument vector; defaults to ``sys.argv``.

    Returns:
        The manifest, with the lewsim version, git commit and dirty flag, Python version,
        platform, package versions, command line, run settings, seeds, all parameters,
        start time and wall time.

    Raises:
        ValueError: If ``started_at`` has no timezone, or a value is out of range (a
            negative seed, or not one seed per replication, say).
    """
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware (e.g. datetime.now(UTC))")
    argv = [str(argument) for argument in (sys.argv if command_line is None else command_line)]
    commit, dirty = git_state(Path(__file__).resolve().parent)
    all_params = validate_parameters(dict(params or {}), owner="build_manifest").model_dump(
        mode="json"
    )
    return Manifest(
        format=MANIFEST_FORMAT,
        lewsim_version=__version__,
        git_commit=commit,
        git_dirty=dirty,
        python_version=platform.python_version(),
        platform=platform.platform(),
        packages=package_versions(),
        command_line=shlex.join(argv),
        argv=argv,
        steps=steps,
        seed=seed,
        replications=replications,
        seeds=[int(value) for value in seeds],
        params=to_jsonable(all_params),
        started_at=started_at,
        wall_time_seconds=round(float(wall_time_seconds), 3),
    )


def manifest_json(manifest: Manifest | Mapping[str, Any]) -> str:
    """A manifest as indented JSON text with a final newline: the one way one is written.

    Args:
        manifest: A :class:`Manifest`, or a mapping with its fields (such as a manifest
            turned into a dict with sections added); a mapping is checked as a manifest.

    Returns:
        The JSON text.

    Raises:
        pydantic.ValidationError: If a mapping is not a valid manifest.
        TypeError: For a section value with no JSON representation.
    """
    if not isinstance(manifest, Manifest):
        manifest = Manifest.model_validate(to_jsonable(manifest))
    return json.dumps(manifest.to_json_dict(), indent=2, allow_nan=False) + "\n"


def read_manifest(text: str | bytes) -> Manifest | None:
    """Parse a ``manifest.json``'s text; ``None`` unless it is a lewsim manifest.

    Args:
        text: The file's content.

    Returns:
        The manifest, or ``None`` if the text is not JSON or not a valid :class:`Manifest`
        (a user's own ``manifest.json``, or one from before manifests were marked).
    """
    try:
        return Manifest.model_validate_json(text)
    except ValueError:  # pydantic's ValidationError is a ValueError
        return None


def package_versions(names: Sequence[str] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of the given distributions (``None`` if not installed).

    Args:
        names: Distribution names.

    Returns:
        Mapping of name to version string or ``None``.
    """
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(directory: Path) -> tuple[str | None, bool | None]:
    """Commit and dirty flag of the git working tree that holds ``directory``.

    The package directory is used rather than the current directory, so the commit is
    that of the code that ran. A package installed into an ignored folder (such as a
    ``.venv`` inside some repository) does not belong to that repository's commit, so it
    reports ``None`` as well.

    Only tracked files count: an untracked file (a results directory, a notebook) did not
    change the code that ran. Git is asked with ``--no-optional-locks`` so that a run
    never takes the repository's ``index.lock`` (which would make a concurrent
    ``git commit`` fail).

    Args:
        directory: A directory inside the working tree.

    Returns:
        ``(commit, dirty)``; ``(None, None)`` if git is missing, the directory is not in a
        git work tree, it is ignored there, or the repository has no commits yet.
        ``dirty`` is true when tracked files differ from the commit (staged or not).
    """
    try:
        inside = _git(directory, "rev-parse", "--is-inside-work-tree")
        if inside != "true":
            return None, None
        # check-ignore exits 0 (output "") when the path is ignored, 1 when it is not.
        if _git(directory, "check-ignore", "-q", ".", check=False) is not None:
            return None, None
        commit = _git(directory, "rev-parse", "--verify", "-q", "HEAD")
        status = _git(directory, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit, bool(status)


def _git(directory: Path, *args: str, check: bool = True) -> str | None:
    """Run a git command in ``directory``; return stdout, or ``None`` if it failed."""
    result = subprocess.run(
        ["git", "--no-optional-locks", "-C", str(directory), *args],
        capture_output=True,
        text=True,
        timeout=_GIT_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        if check:
            raise subprocess.SubprocessError(result.stderr.strip())
        return None
    return result.stdout.strip()


def unicode_text(text: str) -> str:
    r"""``text`` as valid Unicode, fit for JSON and UTF-8 files.

    Under a C or POSIX locale (``LC_ALL=C`` with ``PYTHONUTF8=0``) Python reads a file
    name or argument it cannot decode with lone surrogates (``'\udcc3\udca9.toml'``
    for ``é.toml``). Those bytes are decoded as UTF-8, as file names almost always are;
    bytes that are not UTF-8 become the replacement character.

    Args:
        text: Any string.

    Returns:
        ``text`` itself if it is valid Unicode, else its readable form.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:  # a surrogate that no undecodable byte stands for
            return text.encode("utf-8", "replace").decode("utf-8")
    return text


def to_jsonable(value: Any) -> Any:
    """Convert a nested structure to plain JSON types.

    Tuples become lists, NumPy scalars and arrays become Python numbers and lists, paths
    become strings, strings valid Unicode (:func:`unicode_text`), pydantic models their JSON
    form, and non-finite floats become ``None`` (JSON has no NaN).

    Args:
        value: Any nesting of mappings, sequences and scalars.

    Returns:
        An equivalent structure of dicts, lists, str, int, float, bool and None.

    Raises:
        TypeError: For an object with no JSON representation.
    """
    if isinstance(value, Manifest):
        return value.to_json_dict()
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {unicode_text(str(key)): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [to_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return unicode_text(value)
    if value is None or isinstance(value, int | bool):
        return value
    if isinstance(value, os.PathLike):
        return unicode_text(os.fspath(value))
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON: {value!r}")
