"""Screenshot pages of a running app in headless Debian chromium (for docs and review).

    python -m tools.screenshot http://127.0.0.1:8050 "/?lang=en" out.png [--width 1400] --user NAME
    (the password from SUNSHINE_SCREENSHOT_PASSWORD)
"""
from __future__ import annotations

import shutil
import sys

import typer
from playwright.sync_api import ConsoleMessage, sync_playwright

from tools.signin import sign_in

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A page is ready when its layout is in and no Dash callback is still loading.
READY_JS = ("() => !!document.querySelector('#_pages_content .sun-page') && "
            "!document.querySelector('[data-dash-is-loading=\"true\"]') && "
            "!document.querySelector('._dash-loading')")


def shoot(base: str, path: str, out: str, width: int = 1400, height: int = 900,
          wait_for: str = ".sun-page", settle_ms: int = 1500, user: str = "", password: str = "") -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("console", _print_console_error)
        if user:
            sign_in(page, base, user, password)
        page.goto(base + path)
        page.wait_for_selector(wait_for)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(settle_ms)
        page.screenshot(path=out, full_page=True)
        browser.close()


def _print_console_error(message: ConsoleMessage) -> None:
    if message.type == "error":
        print("console error:", message.text, file=sys.stderr)


def main(base: str, path: str, out: str, width: int = 1400, height: int = 900,
         user: str = typer.Option("", help="account to sign in with"),
         password: str = typer.Option("", envvar="SUNSHINE_SCREENSHOT_PASSWORD", help="its password")):
    shoot(base, path, out, width, height, user=user, password=password)


if __name__ == "__main__":
    typer.run(main)
