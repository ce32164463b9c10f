"""Screenshot of the educator's app for the README, taken in headless Chromium, offline.

Serves the app with ``lewsim app`` on a free port, opens it in Debian's Chromium through
Playwright (every request that is not to this machine is aborted), loads a story, plays
a few years, appoints a champion, and saves the page as ``docs/images/app.png``.

    python experiments/app_screenshot.py [--story lone-champion] [--months 60] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    """Wait until ``url`` answers (the server stopping or ``seconds`` passing is fatal)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"lewsim app stopped (status {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"lewsim app did not answer on {url}")


def main() -> None:
    """Serve the app, drive it in Chromium and save the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", default="lone-champion", help="Story to load.")
    parser.add_argument("--months", type=int, default=60, help="Months to step.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "app.png")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no Chromium found (apt-get install chromium)")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "simulation", "app", "--port", str(port)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(url, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 720})  # a projector
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost")
                    else route.abort()
                ),
            )
            page.goto(url)
            step = page.get_by_role("button", name="Step", exact=True)
            step.wait_for(timeout=90_000)
            if args.story != "none":
                page.get_by_label("Story (press Reset to load)").click(force=True)
                page.get_by_role("option", name=args.story).click()
                page.get_by_role("button", name="Reset", exact=True).click()
                page.locator("p", has_text="Story:").first.wait_for(timeout=30_000)
            for month in range(1, args.months + 1):
                step.click()
                page.locator("h3", has_text=f"Month {month}: ").wait_for(timeout=30_000)
            page.get_by_role("button", name="Appoint a champion").click()
            page.wait_for_timeout(1500)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
