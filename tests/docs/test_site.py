"""The documentation site builds (``mkdocs build --strict``) and works offline in a browser.

The build executes the three tutorials, so a tutorial that breaks fails here. The built
site is then served from this machine and opened in Debian's Chromium (Playwright, as in
``tests/app/test_browser.py``) with every request not to this machine aborted: the home
page, a tutorial with its figures, the equations typeset by the local MathJax, the API
page and the search must all work, and nothing may be asked of the internet or be
missing. Every wait is for an event; a timeout is only where a hang becomes a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import docs_pages
import pytest
from offline_browser import CHROMIUM, NO_CHROMIUM, block_the_internet, launch_chromium

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built strictly into a temporary directory."""
    directory = tmp_path_factory.mktemp("site")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(directory)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-5000:]
    return directory


def test_the_site_has_every_generated_page(site):
    for page in docs_pages.odd_pages():
        assert (site / page.path.replace(".md", "").replace("/index", "") / "index.html").is_file()
    for page in ("reference/cli", "reference/parameters", "reference/api", "validation"):
        assert (site / page / "index.html").is_file(), page
    for tutorial in ("researcher", "educator", "planner"):
        html = (site / "tutorials" / tutorial / "index.html").read_text()
        assert "Traceback" not in html, f"{tutorial}: an output shows an error"
    assert (site / "assets" / "mathjax" / "tex-chtml.js").is_file()
    assert (site / "search" / "search_index.json").is_file()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files and logs nothing (the test's output stays readable)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        """Log nothing."""


@pytest.fixture(scope="module")
def served(site) -> Iterator[str]:
    """The built site over HTTP on a free port of this machine."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_the_site_works_offline_in_a_browser(served):
    from playwright.sync_api import sync_playwright

    missing: list[str] = []
    errors: list[str] = []

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            blocked = block_the_internet(page)
            page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(served)
            page.locator("h1", has_text="lewsim").wait_for(timeout=30_000)
            assert page.locator("a", has_text="the planner's tutorial").count() >= 1

            page.goto(served + "tutorials/educator/")
            page.wait_for_function(
                "document.querySelectorAll('article img').length >= 5"
                " && [...document.querySelectorAll('article img')]"
                ".every(i => i.complete && i.naturalWidth > 0)",
                timeout=30_000,
            )

            page.goto(served + "tutorials/researcher/")
            page.locator("mjx-container").first.wait_for(state="attached", timeout=30_000)
            # Typeset, with glyphs: an equation whose fonts or styles are missing is 0 wide.
            widths = page.eval_on_selector_all(
                "article mjx-container", "found => found.map(e => e.getBoundingClientRect().width)"
            )
            assert len(widths) >= 5 and min(widths) > 0, widths
            assert page.locator("article table").count() >= 2  # the indices

            odd_equations = served + docs_pages.odd_page_path(3).replace(".md", "/")
            page.goto(odd_equations)
            page.locator("article mjx-container").first.wait_for(state="attached", timeout=30_000)
            widths = page.eval_on_selector_all(
                "article mjx-container", "found => found.map(e => e.getBoundingClientRect().width)"
            )
            assert len(widths) >= 5 and min(widths) > 0, widths
            assert page.locator("mjx-merror").count() == 0, "MathJax could not read an equation"

            page.goto(served + "reference/api/")
            page.locator('[id="simulation.simulate"]').wait_for(timeout=30_000)
            assert page.locator('[id="simulation.SectorModel"]').count() == 1

            page.goto(served)
            search = page.locator("input.md-search__input")
            search.click()
            search.press_sequentially("posterior", delay=50)
            page.locator(".md-search-result__item").first.wait_for(timeout=30_000)
            found = page.locator(".md-search-result__item").count()
        finally:
            browser.close()

    assert found >= 2
    assert not blocked, f"the site asked the internet for {blocked}"
    assert not missing, f"not found on the site: {missing}"
    assert not errors, f"errors in the page: {errors}"
