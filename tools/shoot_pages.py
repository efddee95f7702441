"""Screenshots of every page (and map level, the big screen, briefing slides) for review.

    SUNSHINE_SCREENSHOT_PASSWORD=... python tools/shoot_pages.py --user NAME [--database-url ...] [--out screenshots]

Serves the app on the database, opens each view in headless Debian chromium, waits until
no callback is in flight, and saves a PNG per view; then renders the weekly briefing's
slides (the HTML the PDF is printed from) and saves the title slide and two topic slides.
The files are for looking at (screenshots/ is git-ignored), not for committing.
"""
from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from settings import PROJECT_ROOT
from tools.screenshot import CHROMIUM_ARGS, READY_JS
from tools.signin import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage

SCREEN = (1920, 1080)
DESKTOP = (1440, 900)
# every records grid shows rows or its "no rows" overlay (grid pages arrive after the page)
GRIDS_FILLED_JS = ("() => [...document.querySelectorAll('.ag-root-wrapper')].every(g => "
                   "g.querySelector('.ag-center-cols-container .ag-row') || "
                   "g.querySelector('.ag-overlay-no-rows-wrapper'))")


def views(conn) -> list[tuple[str, str, tuple[int, int]]]:
    """(file name, path, viewport) of every view to shoot, with real codes of the dataset."""
    from sqlalchemy import text

    from data import queries
    root = queries.fetch_dataset_info(conn)["root_code"]
    from data.codes import prefix_of
    # the first township under the root (every database holds all of China's counties,
    # most without townships), and its county
    town = conn.execute(text("SELECT code FROM region WHERE level = 'township' AND code LIKE :c ORDER BY code LIMIT 1"),
                        {"c": prefix_of(root) + "%"}).scalar_one()
    county = town[:6] + "000000"
    village = conn.execute(text("SELECT code FROM region WHERE level = 'village' AND code LIKE :c ORDER BY code LIMIT 1"),
                           {"c": town[:9] + "%"}).scalar_one()
    return [
        ("overview", "/", DESKTOP),
        ("overview-en", "/?lang=en", DESKTOP),
        ("map-1-root", f"/map?region={root}", DESKTOP),
        ("map-2-county", f"/map?region={county}", DESKTOP),
        ("map-3-township-villages", f"/map?region={town}", DESKTOP),
        ("region-township", f"/region/{town}", DESKTOP),
        ("region-village", f"/region/{village}", DESKTOP),
        ("funds", "/funds", DESKTOP),
        ("funds-county", f"/funds?region={county}", DESKTOP),
        ("complaints", "/complaints", DESKTOP),
        ("complaints-en", "/complaints?lang=en", DESKTOP),
        ("briefing", "/briefing", DESKTOP),
        ("screen-1920x1080", "/screen", SCREEN),
        ("screen-county-en", f"/screen?region={county}&lang=en", SCREEN),
    ]


def shoot_pages(base: str, shots, out: Path, user: str, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright
    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        login = context.new_page()
        sign_in(login, base, user, password)
        login.close()
        for name, path, (width, height) in shots:
            tab = context.new_page()
            tab.set_viewport_size({"width": width, "height": height})
            tab.on("console", _console_error_printer(path))
            tab.goto(base + path)
            tab.wait_for_function(READY_JS, timeout=120_000, polling=100)
            tab.wait_for_timeout(4000)  # map geometry (fetched after the figure) and transitions settle
            tab.wait_for_function(READY_JS, timeout=120_000, polling=100)
            tab.wait_for_function(GRIDS_FILLED_JS, timeout=60_000, polling=200)
            target = out / f"{name}.png"
            tab.screenshot(path=str(target), full_page=not name.startswith("screen"))
            saved.append(target)
            tab.close()
        browser.close()
    return saved


def _console_error_printer(path: str) -> Callable[[ConsoleMessage], None]:
    """A console handler printing the page's errors prefixed with its path."""
    def report(message: ConsoleMessage) -> None:
        if message.type == "error":
            print(f"{path}: console error: {message.text}")
    return report


def shoot_slides(engine, out: Path, slides=(0, 1, 3)) -> list[Path]:
    """The briefing's title slide and topic slides, as the PDF shows them."""
    from playwright.sync_api import sync_playwright

    from data import queries
    from data.model.version import data_version
    from data.scope import Scope
    from exports.briefing import BriefingError, briefing_html
    from i18n import t
    from views.briefing import build_briefing
    from views.briefing_files import briefing_images
    with engine.connect() as conn:
        root = queries.fetch_dataset_info(conn)["root_code"]
        week = queries.fetch_weeks(conn)[0]
    scope = Scope.of(root)
    b = build_briefing(engine, scope, root, str(week), "zh-CN")
    if b is None:  # as write_briefing does
        raise BriefingError(t("briefing.error.region", "zh-CN"))
    images = briefing_images(b, engine, scope, cache_dir=out / ".cache", version=data_version(engine))
    page = out / "briefing-slides.html"
    page.write_text(briefing_html(b, images), encoding="utf-8")
    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     headless=True, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        tab.goto(page.as_uri())
        sections = tab.locator("section.slide")
        for i in slides:
            target = out / f"briefing-slide-{i + 1}.png"
            sections.nth(i).screenshot(path=str(target))
            saved.append(target)
        browser.close()
    return saved


def main(database_url: str = typer.Option(f"sqlite:///{PROJECT_ROOT / 'var' / 'bench' / 'city.db'}"),
         out: Path = typer.Option(PROJECT_ROOT / "screenshots"),
         user: str = typer.Option(..., help="a commission account of that database"),
         password: str = typer.Option(..., envvar="SUNSHINE_SCREENSHOT_PASSWORD", help="its password")):
    from data.model.db import make_engine
    from tools.serve import running_app
    out.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        shots = views(conn)
    with running_app(database_url, out / ".var") as base:
        saved = shoot_pages(base, shots, out, user, password)
    saved += shoot_slides(engine, out)
    for path in saved:
        print(path)


if __name__ == "__main__":
    typer.run(main)
