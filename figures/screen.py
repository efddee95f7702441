"""The big screen's look for figures made elsewhere: dark, large type, fills its box.

The screen reuses the overview's map and trend and the briefing's unit charts
(figures/overview.py, figures/briefing.py) and restyles their figure dicts here, so
there is one definition of each chart.
"""
from __future__ import annotations

import copy

from figures.theme import FONT_FAMILY

TEXT = "#e8eef5"
MUTED = "#9fb3c8"
GRID = "rgba(232, 238, 245, 0.12)"
# A MapLibre style with only a dark background: no tiles, glyphs or sprites to fetch.
DARK_MAP_STYLE = {"version": 8, "name": "sunshine-dark", "sources": {},
                  "layers": [{"id": "background", "type": "background",
                              "paint": {"background-color": "#0f2a47"}}]}  # = the card (--sc-card)


def dark(fig: dict, *, font_size: int = 18, map_scale: float = 1.0) -> dict:
    """A copy of a plotly figure dict for the dark wall screen (autosized to its box).

    `map_scale`: how many times larger the map's box is than the one its zoom was
    fitted to (the zoom grows by log2 of it, so the map fills a 4K wall too).
    """
    import math
    fig = copy.deepcopy(fig)
    layout = fig.setdefault("layout", {})
    layout.pop("height", None)
    layout.pop("width", None)
    layout.update(autosize=True, paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                  font={"family": FONT_FAMILY, "size": font_size, "color": TEXT},
                  legend={**(layout.get("legend") or {}), "font": {"size": font_size, "color": TEXT}})
    for name in list(layout):
        if name.startswith(("xaxis", "yaxis")):
            axis = layout[name] or {}
            axis.update(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID,
                        tickfont={**(axis.get("tickfont") or {}), "size": font_size - 2, "color": MUTED})
            if isinstance(axis.get("title"), dict):
                axis["title"] = {**axis["title"], "font": {"color": MUTED, "size": font_size - 2}}
            layout[name] = axis
    if layout.get("annotations"):  # subplot titles sit in the top margin: make room at any size
        margin = dict(layout.get("margin") or {})
        margin["t"] = max(int(margin.get("t") or 0), round(font_size * 1.9))
        layout["margin"] = margin
    for note in layout.get("annotations") or []:
        note["font"] = {**(note.get("font") or {}), "color": TEXT, "size": font_size}
    if "map" in layout:
        zoom = layout["map"].get("zoom")
        layout["map"] = {**layout["map"], "style": DARK_MAP_STYLE}
        if isinstance(zoom, (int, float)) and map_scale > 0:
            layout["map"]["zoom"] = round(zoom + math.log2(map_scale), 2)
    for trace in fig.get("data") or []:
        if trace.get("type") == "choroplethmap":
            trace["marker"] = {**(trace.get("marker") or {}), "line": {"width": 1.2, "color": "#0b1f36"}}
            bar = trace.get("colorbar") or {}
            bar.update(tickfont={"color": TEXT, "size": font_size - 2}, thickness=18)
            if isinstance(bar.get("title"), dict):
                bar["title"] = {**bar["title"], "font": {"color": TEXT, "size": font_size - 2}}
            trace["colorbar"] = bar
        if trace.get("type") == "bar" and trace.get("textposition") == "outside":
            trace["textfont"] = {"color": TEXT, "size": font_size - 2}
    return fig
