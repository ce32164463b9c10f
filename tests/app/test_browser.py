"""The served app in a real browser, offline: Debian's Chromium driven by Playwright.

``lewsim app`` serves the app on a free port; the page is loaded with every request that
is not to this machine aborted, so an app that needs the internet (a CDN front-end, a
chart library, telemetry) shows here as a blank page or a blocked request. The test
checks that the figures rendered, steps the model (first with the keyboard alone), presses
an intervention button and sees the time series and the counts change.

Playwright never downloads a browser here: the test launches ``/usr/bin/chromium``
(``apt-get install chromium``; ``.ci/run`` installs it when missing) and skips, saying
so, only where there is no Chromium.

No step depends on how fast the machine is: every wait is for an event (the server
answering, an element or a new figure appearing), and each timeout is only the point at
which a hang becomes a failure. They are margins for a loaded machine, many times what the
events take on a quiet one (the server and the first page within about 10 s, each step
within a second or two).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from offline_browser import CHROMIUM, NO_CHROMIUM, block_the_internet, launch_chromium

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: A projector's screen: what a room sees without scrolling.
PROJECTOR = {"width": 1280, "height": 720}
SECTOR_EXAMPLE = Path(__file__).resolve().parents[2] / "experiments" / "sectors" / "riverside.toml"


@contextmanager
def serve(tmp_path_factory, no_egress, *options: str) -> Iterator[str]:
    """``lewsim app`` on a free port, in its own process group (stopped afterwards).

    Its processes run under the no-egress hook (``conftest.py``): after the browser's
    session, the server must have called nothing off this machine either.
    """
    port = free_port()
    egress_log = tmp_path_factory.mktemp("egress") / "egress.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "simulation", "app", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=no_egress(egress_log),
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode(errors="replace") if server.stdout else ""
                pytest.fail(f"lewsim app did not start on {url}:\n{output[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert not egress_log.exists(), f"the server called off this machine:\n{egress_log.read_text()}"


@pytest.fixture(scope="module")
def served_app(tmp_path_factory, no_egress) -> Iterator[str]:
    """The app on the generated sector."""
    with serve(tmp_path_factory, no_egress) as url:
        yield url


@pytest.fixture(scope="module")
def served_sector_app(tmp_path_factory, no_egress) -> Iterator[str]:
    """The app started on the example sector file (``lewsim app --sector FILE``)."""
    with serve(tmp_path_factory, no_egress, "--sector", str(SECTOR_EXAMPLE)) as url:
        yield url


def image_sources(page) -> list[str]:
    """The ``src`` of every image that has loaded (the app's figures)."""
    return page.eval_on_selector_all(
        "img", "images => images.filter(i => i.complete && i.naturalWidth > 0).map(i => i.src)"
    )


def headline(page) -> str:
    return page.locator("h3", has_text="Month ").first.inner_text()


@contextmanager
def offline_page(url: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The app at ``url`` in Chromium on a projector's screen, every other host blocked.

    Yields once the page shows its Step button and its three figures: the page, the
    addresses it asked for off this machine, and the errors it raised.
    """
    from playwright.sync_api import sync_playwright

    errors: list[str] = []

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport=PROJECTOR)
            blocked = block_the_internet(page)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url)
            page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)
            page.wait_for_function(
                "document.querySelectorAll('img').length >= 3"
                " && [...document.images].every(i => i.complete && i.naturalWidth > 0)",
                timeout=60_000,
            )
            yield page, blocked, errors
        finally:
            browser.close()


def test_the_app_renders_offline_steps_and_takes_an_intervention(served_app):
    with offline_page(served_app) as (page, blocked, errors):
        figures = image_sources(page)
        assert len(figures) == 3, "the network, the time series and the sector"
        network, series, sector = figures
        assert headline(page).startswith("Month 0: ")

        # Keyboard only: Tab to the Step button and press Enter.
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.innerText || ''")
            if focused.strip().lower() == "step":
                break
        else:
            pytest.fail("the Step button cannot be reached with the Tab key")
        page.keyboard.press("Enter")
        page.locator("h3", has_text="Month 1: ").wait_for(timeout=30_000)
        months = [headline(page)]
        for month in (2, 3):
            page.get_by_role("button", name="Step", exact=True).click()
            page.locator("h3", has_text=f"Month {month}: ").wait_for(timeout=30_000)
            months.append(headline(page))
        page.wait_for_function(
            "src => document.images[1] && document.images[1].src !== src", arg=series
        )
        stepped = image_sources(page)
        assert stepped[1] != series, "the time series did not move on"

        before = headline(page)
        page.get_by_role("button", name="Hire an LE leader").click()
        page.locator("h3", has_text="1 LE leader").wait_for(timeout=30_000)
        after = headline(page)
        page.wait_for_function(
            "src => document.images[1].src !== src", arg=stepped[1], timeout=30_000
        )
        marked = image_sources(page)

        # Play runs the model in Mesa's background task; pause it a few months on.
        page.get_by_role("button", name="▶", exact=True).click()
        # Wait for any month from 8 on: Play may show month 8 for less time than the
        # page is polled, so waiting for that exact headline could miss it.
        page.wait_for_function(
            """() => [...document.querySelectorAll("h3")].some(h => {
                const m = /^Month (\\d+): /.exec(h.innerText);
                return m !== null && Number(m[1]) >= 8;
            })""",
            timeout=60_000,
        )
        page.get_by_role("button", name="❚❚", exact=True).click()
        played = headline(page)
        assert page.get_by_text("error in").count() == 0

        page.get_by_role("tab", name="About").click()
        page.get_by_text("What you are looking at").wait_for(timeout=30_000)
        page.get_by_text("The lone champion who leaves").wait_for(timeout=30_000)

    assert len(set(months)) == 3
    assert int(played.split(":")[0].removeprefix("Month ")) >= 8
    assert before.startswith("Month 3: ") and "0 LE leaders" in before
    assert after != before and after.startswith("Month 3: ")
    assert marked[1] != stepped[1], "the intervention is not marked on the time series"
    assert marked[0] != network or stepped[0] != network, "the network was never redrawn"
    assert sector  # drawn at the start
    assert not blocked, f"the app asked the internet for {blocked}"
    assert not errors, f"errors in the page: {errors}"


def test_a_sector_file_on_a_projector_shows_names_values_and_the_time_series(served_sector_app):
    with offline_page(served_sector_app) as (page, blocked, errors):
        tabs = page.get_by_role("tab").all_inner_texts()
        sentence = headline(page)
        on_screen = page.get_by_text("The network (left): Northside CMHT").count()
        sector_choice = page.get_by_text("riverside", exact=True).count()
        board = page.get_by_text("Board support: 0.3", exact=True).count()
        # The time series (the second figure) ends above the bottom of the screen.
        series_bottom = page.evaluate("document.images[1].getBoundingClientRect().bottom")

    assert [tab.strip().lower() for tab in tabs] == ["organisation", "about"]
    assert sentence.startswith("Month 0: ") and "of 6 organisations" in sentence
    assert on_screen == 1
    assert sector_choice >= 1, "the sector chooser does not show the file given"
    assert board == 1, "the Board support slider does not show its value"
    assert 0 < series_bottom <= PROJECTOR["height"]
    assert not blocked, f"the app asked the internet for {blocked}"
    assert not errors, f"errors in the page: {errors}"
