"""The big screen's look for figures made elsewhere: dark, large type, fills its box.

The screen reuses the overview's map and trend and the briefing's unit charts
(figures/overview.py, figures/briefing.py) and restyles their figure dicts here, so
there is one definition of each chart.
"""
from __future__ import annotations

import copy

from figures.geo import fit_label_trace
from figures.theme import FONT_FAMILY

TEXT = "#e8eef5"
MUTED = "#9fb3c8"
GRID = "rgba(232, 238, 245, 0.12)"
BORDER = "#0b1f36"  # region borders and the halo of the names: darker than the card
LABEL_HALO = f"0 0 4px {BORDER}, 0 0 2px {BORDER}, 0 0 1px {BORDER}"
LABEL_SCALE = 1.15  # region names a little larger than the screen's other chart text


def dark(fig: dict, *, font_size: int = 18, map_box_px: tuple[float, float] | None = None) -> dict:
    """A copy of a plotly figure dict for the dark wall screen (autosized to its box).

    A map (plotly `geo`, fitted to its regions) fills whatever box it gets, a 4K wall
    too; its region names grow with `font_size`, light on a dark halo, and are fitted
    again to their regions at that size on a plot area of `map_box_px`.
    """
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
    for trace in fig.get("data") or []:
        if trace.get("type") == "scattergeo" and trace.get("name") == "labels":
            size = round(font_size * LABEL_SCALE)
            fitted = fit_label_trace(trace, layout.get("geo") or {}, size, map_box_px) if map_box_px else \
                {**trace, "textfont": {**(trace.get("textfont") or {}), "size": size}}
            trace.update(fitted, textfont={**fitted["textfont"], "color": TEXT, "shadow": LABEL_HALO})
        if trace.get("type") == "choropleth":
            trace["marker"] = {**(trace.get("marker") or {}), "line": {"width": 1.2, "color": BORDER}}
            bar = trace.get("colorbar") or {}
            bar.update(tickfont={"color": TEXT, "size": font_size - 2}, thickness=18)
            if isinstance(bar.get("title"), dict):
                bar["title"] = {**bar["title"], "font": {"color": TEXT, "size": font_size - 2}}
            trace["colorbar"] = bar
        if trace.get("type") == "bar" and trace.get("textposition") == "outside":
            trace["textfont"] = {"color": TEXT, "size": font_size - 2}
    return fig
