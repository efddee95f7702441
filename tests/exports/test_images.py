"""Chart export: real files from kaleido + Debian chromium, stamped, Chinese font checked."""
from __future__ import annotations

import base64
import io

import pytest

from tests.support.demo import DEMO_COUNTY
from tests.support.session import signed_in

EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture(scope="module")
def server(demo_db_url, tmp_path_factory):
    from app import create_app
    from settings import load_settings
    settings = load_settings(env={"DATABASE_URL": demo_db_url,
                                  "SUNSHINE_VAR_DIR": str(tmp_path_factory.mktemp("export-var"))})
    return create_app(settings).server


@pytest.fixture(scope="module")
def overview_figures(server):
    from callbacks import overview
    from callbacks.page_state import resolve_state
    with signed_in(server):
        resolved = resolve_state({"region": DEMO_COUNTY, "week": "2026-W46", "lang": "zh-CN"})[-1]
        figure, _ = overview.render_map(resolved)
        trend = overview.render_trend(resolved)
    return {"map": figure, "trend": trend, "resolved": resolved}


def _decode(download: dict) -> bytes:
    assert download["base64"] is True
    return base64.b64decode(download["content"])


def test_png_of_chinese_chart_is_rendered_at_twice_the_size(server, overview_figures):
    from PIL import Image

    from callbacks.chart_export import export_file
    from exports.images import cjk_fonts
    assert any("CJK" in family for family in cjk_fonts())  # Debian fonts-noto-cjk present
    trend = overview_figures["trend"]
    with signed_in(server):
        download = export_file(trend, "png", "zh-CN")
    body = _decode(download)
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(body))
    assert image.size[0] == 2 * 1100  # scale 2 of the default export width
    assert download["filename"] == "近12周走势_永兴县_2026-W46.png"
    assert download["type"] == "image/png"


def test_svg_carries_the_stamp_text(server, overview_figures):
    from callbacks.chart_export import export_file
    resolved = overview_figures["resolved"]
    with signed_in(server):
        svg = _decode(export_file(overview_figures["trend"], "svg", "zh-CN")).decode("utf-8")
    assert "近12周走势" in svg                       # title
    assert resolved["region_name"] in svg          # region
    assert "2026-W46" in svg                       # period
    assert "数据截至 2026-11-15" in svg             # data as-of
    assert "Noto Sans CJK SC" in svg               # the font the stamp asks for


def test_map_export_inlines_the_geometry_and_makes_a_pdf(server, overview_figures):
    from callbacks.chart_export import export_file, scoped_geometry
    from exports.images import inline_geometry
    figure = overview_figures["map"]
    assert isinstance(figure["data"][0]["geojson"], str)  # the page sends a URL
    with signed_in(server):
        inlined = inline_geometry(figure, scoped_geometry)
        pdf = _decode(export_file(figure, "pdf", "zh-CN"))
    features = inlined["data"][0]["geojson"]["features"]
    assert {f["id"] for f in features} >= set(figure["data"][0]["locations"])
    assert isinstance(figure["data"][0]["geojson"], str)  # the original is left untouched
    assert pdf.startswith(b"%PDF")


def test_missing_cjk_font_is_a_clear_error_not_boxes(server, overview_figures, tmp_path, monkeypatch):
    from callbacks import chart_export
    from exports.images import MissingFontError, cjk_fonts, render
    config = tmp_path / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(cache=tmp_path / "cache"))
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    assert cjk_fonts() == []
    with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
        render(overview_figures["trend"], "png", lang="zh-CN")
    # through the callback: no file, a message under the menu, in the user's language
    monkeypatch.setattr(chart_export, "ctx", type("Ctx", (), {"triggered_id": {"key": "overview-trend", "fmt": "png"}})())
    source = chart_export.ChartSource(None, lambda state: overview_figures["trend"])
    with signed_in(server):
        download, message = chart_export.export_chart("overview-trend", source, [1, None, None], {}, "?lang=en")
    assert download is chart_export.no_update
    assert "fonts-noto-cjk" in message and "Chinese" in message


def test_not_loaded_figure_and_filename_safety(server):
    from callbacks.chart_export import export_file
    from exports.images import ExportError, export_filename
    with signed_in(server), pytest.raises(ExportError):
        export_file({}, "png", "zh-CN")
    fig = {"layout": {"meta": {"export": {"title": "a/b: c", "region": "永兴县", "period": "2026-W46"}}}}
    assert export_filename(fig, "svg") == "a-b-c_永兴县_2026-W46.svg"
    assert export_filename({"layout": {}}, "pdf") == "chart.pdf"


def test_map_svg_is_vector_with_every_name_and_rings_wound_for_d3(server, overview_figures):
    """The exported map is the page's own SVG map: a path per region, the names as text,
    no raster (a WebGL canvas would be an <image>); the geometry it inlines is wound
    clockwise, as d3 draws it (a counter-clockwise ring would fill the whole globe)."""
    from shapely.geometry import shape

    from callbacks.chart_export import export_file, scoped_geometry
    from exports.images import inline_geometry
    figure = overview_figures["map"]
    with signed_in(server):
        svg = _decode(export_file(figure, "svg", "zh-CN")).decode("utf-8")
        inlined = inline_geometry(figure, scoped_geometry)
    regions, names = figure["data"][0]["locations"], figure["data"][1]["text"]
    assert len(names) == len(regions) > 10
    assert svg.count("choroplethlocation") >= len(regions)
    assert all(f">{name}<" in svg for name in names)
    assert "<image" not in svg
    for feature in inlined["data"][0]["geojson"]["features"]:
        geom = shape(feature["geometry"])
        assert not any(part.exterior.is_ccw for part in getattr(geom, "geoms", [geom]))

