"""Debian's Chromium under Playwright, with every request off this machine aborted.

The app's browser test and the documentation site's both open pages this way: anything
that needs the internet (a CDN script, a web font, telemetry) shows as a blocked request,
which the tests assert there are none of. Playwright never downloads a browser here: the
tests launch ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs it)
and skip, saying so, where there is none.
"""

from __future__ import annotations

import shutil
from typing import Any
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Why a browser test skips.
NO_CHROMIUM = "no Chromium on this machine (apt-get install chromium; .ci/run does it)"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, as a container allows it to run."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
    )


def block_the_internet(page: Any) -> list[str]:
    """Abort every request of ``page`` not to this machine; returns the list they go into."""
    blocked: list[str] = []

    def only_this_machine(route: Any) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    return blocked
