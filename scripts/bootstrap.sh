#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install lewsim into it, with the test tools and
# the educator's app and the documentation site (extras dev, app and docs), idempotently.
#
# Looks for an interpreter on PATH first, then in pyenv's versions folder, so the
# same command works on a laptop, a cluster login node and CI. Reinstalls only
# when pyproject.toml has changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

MIN_MINOR=12
VENV=.venv
STAMP="$VENV/.installed"

is_new_enough() {
    "$1" -c "import sys; sys.exit(0 if sys.version_info >= (3, $MIN_MINOR) else 1)" >/dev/null 2>&1
}

find_python() {
    local candidate
    if [ -n "${LEWSIM_PYTHON:-}" ]; then
        if is_new_enough "$LEWSIM_PYTHON"; then echo "$LEWSIM_PYTHON"; return 0; fi
        echo "LEWSIM_PYTHON=$LEWSIM_PYTHON is not a Python >= 3.$MIN_MINOR" >&2
        return 1
    fi
    # 1. Interpreters on PATH (a pyenv shim that is not activated fails the check and is skipped).
    for candidate in python3.14 python3.13 python3.12 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && is_new_enough "$candidate"; then
            command -v "$candidate"; return 0
        fi
    done
    # 2. pyenv's installed versions, newest first.
    local root="${PYENV_ROOT:-}"
    if [ -z "$root" ] && command -v pyenv >/dev/null 2>&1; then root="$(pyenv root)"; fi
    [ -n "$root" ] || root="$HOME/.pyenv"
    if [ -d "$root/versions" ]; then
        for candidate in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -V -r); do
            if [ -x "$candidate/bin/python3" ] && is_new_enough "$candidate/bin/python3"; then
                echo "$candidate/bin/python3"; return 0
            fi
        done
    fi
    return 1
}

if [ -x "$VENV/bin/python" ] && ! is_new_enough "$VENV/bin/python"; then
    echo "bootstrap: $VENV has an old Python; recreating it" >&2
    rm -rf "$VENV"
fi

if [ ! -x "$VENV/bin/python" ]; then
    if ! PY="$(find_python)"; then
        cat >&2 <<MSG
bootstrap: lewsim needs Python >= 3.$MIN_MINOR (Mesa 3.5 requires it), and none was found.
  Looked on PATH (python3.14, python3.13, python3.12, python3, python) and in pyenv's versions.
  Install one (e.g. 'pyenv install 3.12') or point LEWSIM_PYTHON at an interpreter.
MSG
        exit 1
    fi
    echo "bootstrap: creating $VENV with $PY ($("$PY" --version 2>&1))"
    "$PY" -m venv "$VENV"
fi

wanted="$(cat pyproject.toml | cksum)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ]; then
    echo "bootstrap: installing lewsim and its dependencies into $VENV (log: $VENV/install.log)"
    # The build backend is chatty even with --quiet; keep its output for when it fails.
    if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip \
            && "$VENV/bin/python" -m pip install --disable-pip-version-check -e ".[dev,app,docs]"; \
          } > "$VENV/install.log" 2>&1; then
        tail -n 40 "$VENV/install.log" >&2
        echo "bootstrap: installation failed; the whole log is in $VENV/install.log" >&2
        exit 1
    fi
    echo "$wanted" > "$STAMP"
fi
