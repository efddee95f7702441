"""Chart export in the browser: the overview's map and trend download as PNG/SVG/PDF."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _export(page, chart: str, label: str):
    card = page.locator(f'[data-chart="{chart}"]')
    card.locator(".sun-export-menu .dropdown-toggle").click()
    with page.expect_download(timeout=60_000) as info:
        card.get_by_text(label).click()
    return info.value


@pytest.mark.parametrize("chart,label,suffix,magic", [
    ("overview-trend", "PNG 图片（2 倍）", ".png", b"\x89PNG"),
    ("overview-map", "SVG 矢量图", ".svg", b"<svg"),
    ("overview-map", "PDF 文档", ".pdf", b"%PDF"),
])
def test_overview_charts_download(page, app_url, tmp_path, chart, label, suffix, magic):
    page.goto(f"{app_url}/?region=431023&week=2026-W46")
    page.wait_for_selector(f'[data-chart="{chart}"] .js-plotly-plot .main-svg', timeout=30_000)
    download = _export(page, chart, label)
    name = download.suggested_filename
    assert name.endswith(suffix) and "永兴县" in name and "2026-W46" in name
    path = tmp_path / name
    download.save_as(path)
    assert path.read_bytes()[:64].lstrip().startswith(magic) or magic in path.read_bytes()[:200]
