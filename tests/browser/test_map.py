"""The hotspot map and region profile in headless chromium on the county demo (永兴县).

Most clicks on the map are sent as plotly_click events on the graph (what plotly emits
for a click on a region), so those tests do not depend on screen coordinates; one clicks
a drawn name with the mouse, as a person does.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from i18n import t
from tests.support.demo import CITY

pytestmark = pytest.mark.browser
COUNTY = "431023000000"
GRAPH = '[data-chart="map-main"] .js-plotly-plot'
GRID_ID = '{"key":"map-records","type":"records-grid"}'
VILLAGES_DRAWN = "g.data.length === 3 && g.data[1].name === 'villages'"


def ready(cond: str) -> str:
    """A JS predicate on the map graph `g` (false while the page is (re)rendering)."""
    return f"() => {{ const g = document.querySelector('{GRAPH}'); return !!(g && g.data && ({cond})); }}"


def open_map(page, app_url: str, query: str = "?week=2026-W46"):
    page.goto(f"{app_url}/map{query}")
    page.wait_for_selector(GRAPH, timeout=30_000)
    page.wait_for_function(ready("g.data.length >= 2"), timeout=30_000)


def traces(page) -> list[dict]:
    return page.evaluate(f"""Array.from(document.querySelector('{GRAPH}').data).map(d => ({{
        type: d.type, locations: d.locations || null, n: (d.lon || d.locations || []).length,
        customdata: d.customdata || null, colorscale: d.colorscale || (d.marker || {{}}).colorscale || null,
        title: ((d.colorbar || (d.marker || {{}}).colorbar || {{}}).title || {{}}).text || ''}}))""")


def click_region(page, *, location=None, customdata=None, curve=0, index=0):
    """What plotly sends for a click (dcc.Graph re-reads customdata from the trace)."""
    point = {"curveNumber": curve, "pointNumber": index}
    if location:
        point["location"] = location
    if customdata:
        point["customdata"] = customdata
    page.evaluate(f"pt => document.querySelector('{GRAPH}').emit('plotly_click', {{points: [pt]}})", point)


def crumbs(page) -> list[str]:
    return page.locator("#map-crumbs li").all_inner_texts()


def test_county_shows_townships_and_a_click_drills_to_villages(page, app_url):
    open_map(page, app_url)
    first = traces(page)
    assert first[0]["type"] == "choropleth" and first[0]["n"] > 10  # the county's townships
    assert len(crumbs(page)) == 1 and "永兴县" in crumbs(page)[0]
    town = sorted(first[0]["locations"])[3]
    click_region(page, location=town)
    expect(page).to_have_url(re.compile(f"region={town}"))
    page.wait_for_function(ready(VILLAGES_DRAWN), timeout=30_000)
    villages = traces(page)
    assert [v["type"] for v in villages] == ["choropleth", "scattergeo", "scattergeo"]
    assert villages[0]["locations"] == [town] and villages[1]["n"] + villages[2]["n"] >= 5
    expect(page.locator("#map-crumbs li")).to_have_count(2)
    # breadcrumb back up to the county
    page.locator("#map-crumbs li a").first.click()
    page.wait_for_function(ready("g.data[0].name === 'metric' && g.data[0].locations.length > 10"),
                           timeout=30_000)
    expect(page).to_have_url(re.compile("region=431023(&|$)"))


@pytest.fixture(scope="module")
def city_app_url(chromium_path, city_demo_db_url, tmp_path_factory):
    """A second app subprocess serving the city-level demo (郴州市 and its 11 counties)."""
    from tests.support.session import serve_with_accounts
    yield from serve_with_accounts(city_demo_db_url, tmp_path_factory.mktemp("city-app-var"))


def test_city_click_on_a_county_shows_its_townships_and_the_breadcrumb(page, city_app_url):
    """Start at the city (its counties), click one county: its townships and a 2-step crumb."""
    from tests.support.session import PASSWORD, ROLE_ACCOUNTS
    from tools.signin import sign_in
    sign_in(page, city_app_url, ROLE_ACCOUNTS["commission"][0], PASSWORD)  # another server, another session
    open_map(page, city_app_url)
    first = traces(page)
    assert first[0]["type"] == "choropleth"
    counties = sorted(first[0]["locations"])
    assert len(counties) == 11 and all(c.startswith("4310") and c.endswith("000000") for c in counties)
    assert len(crumbs(page)) == 1 and "郴州市" in crumbs(page)[0]
    expect(page).not_to_have_url(re.compile("region=431023"))
    click_region(page, location=COUNTY)
    expect(page).to_have_url(re.compile("region=431023(&|$)"))
    page.wait_for_function(ready("g.data[0].locations && g.data[0].locations.length > 0 && "
                                 "g.data[0].locations.every(c => c.startsWith('431023') && "
                                 "c !== '431023000000')"), timeout=30_000)
    towns = traces(page)[0]
    assert towns["type"] == "choropleth" and all(c[6:9] != "000" for c in towns["locations"])
    expect(page.locator("#map-crumbs li")).to_have_count(2)
    assert "郴州市" in crumbs(page)[0] and "永兴县" in crumbs(page)[1]
    # the first crumb leads back to the city's counties
    page.locator("#map-crumbs li a").first.click()
    page.wait_for_function(ready("g.data[0].locations && g.data[0].locations.length === 11"),
                           timeout=30_000)
    expect(page.locator("#map-crumbs li")).to_have_count(1)
    assert CITY[:4] in page.url or "region=" not in page.url


# the names drawn (SVG text on the map, with a size) and the names the figure holds
NAMES_JS = f"""() => Array.from(document.querySelectorAll('{GRAPH} .geolayer text'))
    .filter(el => el.getBoundingClientRect().width > 0).map(el => el.textContent)"""
LABELS_JS = f"""() => Array.from(document.querySelector('{GRAPH}').data)
    .filter(d => d.name === 'labels').map(d => Array.from(d.text))[0]"""
# the drawn regions' extent as a share of the plot area's width and height
FILL_JS = f"""() => {{ const g = document.querySelector('{GRAPH}'), size = g._fullLayout._size;
    const boxes = Array.from(g.querySelectorAll('path.choroplethlocation')).map(p => p.getBoundingClientRect());
    const w = Math.max(...boxes.map(b => b.right)) - Math.min(...boxes.map(b => b.left));
    const h = Math.max(...boxes.map(b => b.bottom)) - Math.min(...boxes.map(b => b.top));
    return {{w: w / size.w, h: h / size.h}}; }}"""


def test_city_map_is_svg_with_every_county_named_and_a_click_on_a_name_drills(page, city_app_url):
    """The map is SVG (plotly geo): a path per county, the counties' names as text in the
    DOM, no WebGL canvas; nothing is fetched off the machine (the page fixture fails the
    test on any request leaving 127.0.0.1), the empty base map comes from the app."""
    from tests.support.session import PASSWORD, ROLE_ACCOUNTS
    from tools.signin import sign_in
    sign_in(page, city_app_url, ROLE_ACCOUNTS["commission"][0], PASSWORD)
    topojson = []
    page.on("request", lambda req: topojson.append(req.url) if "/geo/topojson/" in req.url else None)
    open_map(page, city_app_url)
    page.wait_for_function(f"() => document.querySelectorAll('{GRAPH} path.choroplethlocation').length >= 11",
                           timeout=30_000)
    counties = page.evaluate(LABELS_JS)
    assert len(counties) == 11 and "永兴县" in counties
    drawn = page.evaluate(NAMES_JS)
    assert sorted(drawn) == sorted(counties)
    assert page.locator(f"{GRAPH} canvas").count() == 0
    assert page.locator(f"{GRAPH} .maplibregl-map, {GRAPH} .mapboxgl-map").count() == 0
    assert topojson and all(url.startswith(city_app_url) for url in topojson)
    # the counties fill the plot area in one direction, as the MapLibre map did
    fill = page.evaluate(FILL_JS)
    assert max(fill["w"], fill["h"]) > 0.85, fill
    # a person clicks on the county's name: the click reaches the county beneath it
    label = page.locator(f"{GRAPH} .geolayer text", has_text="永兴县")
    box = label.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile("region=431023(&|$)"), timeout=30_000)
    page.wait_for_function(ready("g.data[0].locations.every(c => c.startsWith('431023'))"), timeout=30_000)
    townships = page.evaluate(LABELS_JS)
    page.wait_for_function(f"n => ({NAMES_JS})().length === n", arg=len(townships), timeout=30_000)
    assert sorted(page.evaluate(NAMES_JS)) == sorted(townships) and len(townships) >= 3
    fill = page.evaluate(FILL_JS)  # a wide county fills the width (fitbounds alone: half)
    assert max(fill["w"], fill["h"]) > 0.85, fill


def test_a_village_click_opens_its_profile(page, app_url):
    open_map(page, app_url, "?region=431023113000&week=2026-W46&period=4w")
    page.wait_for_function(ready(VILLAGES_DRAWN), timeout=30_000)
    curve = 1 if traces(page)[1]["customdata"] else 2
    village = traces(page)[curve]["customdata"][0]
    click_region(page, customdata=village, curve=curve, index=0)
    expect(page).to_have_url(re.compile(f"/region/{village[0]}"))
    expect(page.locator('#region-kpis tr[data-key="complaints_received"]')).to_be_visible(timeout=30_000)
    expect(page.locator("#region-crumbs li")).to_have_count(3)
    expect(page.locator(".sun-page-title")).to_have_text(t("page.region.title", "zh-CN"))


def test_metric_and_period_recolour_in_place_and_the_url_is_a_permalink(page, app_url):
    open_map(page, app_url)
    page.evaluate(f"window.__mapMarker = document.querySelector('{GRAPH}')")
    page.locator("#map-metric").click()
    page.get_by_text(t("kpi.satisfaction_rate", "zh-CN"), exact=True).first.click()
    page.get_by_text(t("map.period.4w", "zh-CN"), exact=True).click()
    expect(page).to_have_url(re.compile(r"metric=satisfaction_rate"))
    expect(page).to_have_url(re.compile(r"period=4w"))
    page.wait_for_function(f"() => (document.querySelector('{GRAPH}').data[0].colorbar.title.text || '')"
                           f".indexOf('{t('kpi.satisfaction_rate', 'zh-CN')}') >= 0", timeout=30_000)
    # patched in place: same graph element, no page reload
    assert page.evaluate(f"window.__mapMarker === document.querySelector('{GRAPH}')")
    # a judged rate: the regions at their verdict's band, good (green) first, problem (red) last
    assert traces(page)[0]["colorscale"][0][1] == "#1a9850" and traces(page)[0]["colorscale"][-1][1] == "#c0392b"
    url = page.url
    page.reload()
    open_map(page, app_url, "?" + url.split("?", 1)[1])
    expect(page.locator("#map-metric")).to_contain_text(t("kpi.satisfaction_rate", "zh-CN"))
    assert page.locator("#map-period input[value='4w']").is_checked()
    assert t("kpi.satisfaction_rate", "zh-CN") in traces(page)[0]["title"]


def test_exported_csv_has_the_grid_rows(page, app_url):
    open_map(page, app_url, "?week=2026-W46&period=4w&metric=overdue_rate")
    status = page.locator('[data-records="map-records"] .sun-note')
    expect(status).to_have_text(re.compile(r"共 [\d,]+ 条记录"), timeout=30_000)
    total = int(re.search(r"([\d,]+)", status.inner_text()).group(1).replace(",", ""))
    assert 0 < total <= 100
    page.wait_for_function("""id => { const api = window.dash_ag_grid && dash_ag_grid.getApi(id);
        if (!api) return false; let n = 0; api.forEachNode(r => { if (r.data) n++; }); return n > 0; }""",
                           arg=GRID_ID, timeout=30_000)
    grid_rows = page.evaluate("""id => { const out = []; dash_ag_grid.getApi(id).forEachNode(
        r => { if (r.data) out.push([r.data.case_no, r.data.category, r.data.due_date]); }); return out; }""",
                              GRID_ID)
    with page.expect_download() as info:
        page.get_by_role("button", name=t("records.export.csv", "zh-CN")).click()
    body = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0][0] == t("records.col.case_no", "zh-CN")
    assert [[r[0], r[2], r[5]] for r in rows[1:]] == grid_rows and len(grid_rows) == total


def test_english_map(page, app_url):
    open_map(page, app_url, "?week=2026-W46&lang=en")
    expect(page.locator(".sun-card-title").first).to_have_text(t("map.title", "en"))
    expect(page.locator("#map-panel")).to_contain_text(t("map.panel.profile", "en"), timeout=30_000)
    assert "Attention" in traces(page)[0]["title"] or "attention" in traces(page)[0]["title"]


def test_records_link_to_the_region_profile(page, app_url):
    open_map(page, app_url, "?region=431023113000&week=2026-W46&period=4w")
    link = page.locator('[data-records="map-records"] .ag-row a[href^="/region/431023113"]').first
    expect(link).to_be_visible(timeout=30_000)
    code = re.search(r"/region/(\d{12})", link.get_attribute("href")).group(1)
    link.click()
    expect(page).to_have_url(re.compile(f"/region/{code}"))
    expect(page.locator('#region-kpis tr[data-key="complaints_received"]')).to_be_visible(timeout=30_000)
