"""Shared look of every chart: fonts that exist offline, palette, number formats.

No web fonts: the font stack names fonts installed on typical government desktops
(Microsoft YaHei, PingFang) and the Debian `fonts-noto-cjk` used by kaleido exports.
"""
from __future__ import annotations

import plotly.graph_objects as go

FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif'

# Sequential scale for "higher is worse" metrics (attention, overdue): pale -> deep red.
BAD_HIGH_SCALE = [[0.0, "#fff5eb"], [0.25, "#fdd0a2"], [0.5, "#fd8d3c"], [0.75, "#d94801"], [1.0, "#7f2704"]]
# For "higher is better" metrics (rates): deep red (bad, low) -> pale -> green (good, high).
GOOD_HIGH_SCALE = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, "#1a9850"]]

PRIMARY = "#1f4e79"
ACCENT = "#c0392b"
GOOD = "#1a9850"
BAD = "#c0392b"
NEUTRAL = "#6c757d"
SERIES = ["#1f4e79", "#c0392b", "#e67e22", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d"]


def base_layout_dict(*, height: int | None = None, dark: bool = False) -> dict:
    """Fonts, margins and a transparent background shared by all charts, as a plain
    layout dict (for figures built from dicts without plotly's validation)."""
    layout = {"font": {"family": FONT_FAMILY, "size": 13, "color": "#e8eef5" if dark else "#212529"},
              "margin": {"l": 8, "r": 8, "t": 36, "b": 8},
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
              "hoverlabel": {"font": {"family": FONT_FAMILY}}, "separators": ".,"}
    if height:
        layout["height"] = height
    return layout


def base_layout(fig: go.Figure, *, height: int | None = None, dark: bool = False) -> go.Figure:
    """Apply fonts, margins and a transparent background shared by all charts."""
    return fig.update_layout(base_layout_dict(height=height, dark=dark))


def empty_figure_dict(message: str, *, height: int = 300) -> dict:
    """`empty_figure` as a plain figure dict (no plotly validation)."""
    note = {"text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
            "font": {"size": 16, "color": NEUTRAL}}
    return {"data": [], "layout": {"annotations": [note], "xaxis": {"visible": False},
                                   "yaxis": {"visible": False}, **base_layout_dict(height=height)}}


def empty_figure(message: str, *, height: int = 300) -> go.Figure:
    """A blank chart that says why it is blank (no data, out of scope ...)."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font=dict(size=16, color=NEUTRAL))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, height=height)


def with_export_meta(fig, *, title: str, region: str, period: str, as_of: str | None):
    """Stamp what an exported image must show (title, region, period, data as-of).

    Read by the chart export callback from `layout.meta["export"]`; not drawn on screen.
    A go.Figure is updated in place; a figure dict is returned as a new dict.
    """
    stamp = {"title": title, "region": region, "period": period, "as_of": as_of or ""}
    if isinstance(fig, dict):
        layout = fig.get("layout") or {}
        meta = dict(layout["meta"]) if isinstance(layout.get("meta"), dict) else {}
        return {**fig, "layout": {**layout, "meta": {**meta, "export": stamp}}}
    meta = dict(fig.layout.meta or {}) if isinstance(fig.layout.meta, dict) else {}
    meta["export"] = stamp
    fig.update_layout(meta=meta)
    return fig


def figure_dict(fig) -> dict:
    """A figure as a plain dict (a go.Figure's JSON form; a dict as it is)."""
    return fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
