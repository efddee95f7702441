"""With the custom plotly.js built (`make bundle`), every chart page draws its charts with it
and never requests dcc's full plotly.js (its async chunk or plotly.min.js).

Skipped when the bundle is not built (no node/npm at setup): dcc then loads the full bundle,
which the other browser tests cover.
"""
from __future__ import annotations

import pytest

from web.bundle import BUNDLE_FILE, URL_PREFIX

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BUNDLE_FILE.is_file(),
                       reason="custom plotly.js not built (var/build/plotly-custom.min.js: `make bundle` "
                              "needs node + npm); dcc.Graph loads the full plotly.js instead"),
]
FULL_BUNDLE = ("plotly.min.js", "async-plotlyjs", "/_dash-component-suites/plotly/")
CHART_PAGES = ("/", "/map", "/funds", "/complaints", "/clues", "/briefing", "/screen")
# every graph of the page drawn: an svg with at least one trace layer, or the empty figure's note
DRAWN = """() => {
  const graphs = [...document.querySelectorAll('.js-plotly-plot')];
  const drawn = graphs.filter(g => g.querySelector('.main-svg') &&
      (g.querySelector('.trace, .choroplethlocation, .sankey, .funnel') || g.querySelector('.annotation')));
  return {graphs: graphs.length, drawn: drawn.length,
          traces: graphs.reduce((n, g) => n + g.querySelectorAll('.trace, .choroplethlocation, .sankey').length, 0)};
}"""
# the trace types of the page's Plotly: ours, not the full bundle's ~50
PLOTLY_TRACES = "() => window.Plotly && Object.keys(window.Plotly.PlotSchema.get().traces).sort()"




@pytest.mark.parametrize("path", CHART_PAGES, ids=[p.strip("/") or "overview" for p in CHART_PAGES])
def test_charts_are_drawn_by_the_custom_bundle_alone(page, app_url, path):
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(f"{app_url}{path}?week=2026-W46")
    page.wait_for_selector("#_pages_content .sun-page", timeout=30_000)
    # (not READY_JS: the briefing and the screen poll on intervals)
    page.wait_for_function(f"() => {{ const d = ({DRAWN})(); return d.graphs > 0 && d.drawn === d.graphs; }}",
                           timeout=60_000, polling=100)
    drawn = page.evaluate(DRAWN)
    assert drawn["traces"] > 0, drawn
    assert page.evaluate(PLOTLY_TRACES) == ["bar", "choropleth", "funnel", "sankey", "scatter", "scattergeo"]
    assert [u for u in requests if URL_PREFIX + "plotly-custom." in u], "custom bundle not loaded"
    full = [u for u in requests if any(part in u for part in FULL_BUNDLE)]
    assert not full, f"the full plotly.js was requested: {full}"


def test_the_bundle_is_cached_for_a_year(page, app_url):
    page.goto(app_url + "/")
    url = page.evaluate(f"() => [...document.scripts].map(s => s.src).find(s => s.includes('{URL_PREFIX}'))")
    assert url, "no script tag for the custom bundle"
    resp = page.request.get(url)
    assert resp.status == 200
    assert resp.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert resp.body() == BUNDLE_FILE.read_bytes()
