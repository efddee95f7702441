"""Figures of the fund-flows page (/funds): pure plotly from DataFrames, no dash.

Money is shown in 万元 (yuan ÷ 10,000). Every builder takes already-translated labels,
so the same figure serves the page, the export and the briefing.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.theme import BAD, NEUTRAL, PRIMARY, SERIES, base_layout, empty_figure

WAN = 10_000
STATUS_COLORS = {"red": "#c0392b", "yellow": "#e0a800", "blue": "#2e86de", "ok": "#8fb9a8",
                 None: "#ced4da"}
AGE_COLORS = {"w1": "#fdd0a2", "w4": "#fd8d3c", "w13": "#d94801", "w13p": "#7f2704"}
NODE_COLORS = {"source": PRIMARY, "category": "#16a085", "unit": "#e67e22", "other": NEUTRAL}


_NESTED = ("marker", "textfont", "line")


def _trace(kind: str, **kw) -> dict:
    """A trace as a plain dict (magic `marker_color` keys nested, arrays as lists): figures
    are assembled unvalidated, ~30x faster than graph_objects traces (callback budgets)."""
    out: dict = {"type": kind}
    for key, value in kw.items():
        if hasattr(value, "tolist"):
            value = value.tolist()
        head, _, rest = key.partition("_")
        if head in _NESTED and rest:
            out.setdefault(head, {})[rest] = value
        else:
            out[key] = value
    return out


class _Traces(list):
    """Collects traces while a figure is built (same call shape as go.Figure.add_bar)."""

    def add_bar(self, **kw) -> None:
        self.append(_trace("bar", **kw))


def _figure(traces) -> go.Figure:
    return go.Figure(data=list(traces), _validate=False)


def sankey_figure(nodes: pd.DataFrame, links: pd.DataFrame, *, value_label: str,
                  empty_text: str, height: int = 460) -> go.Figure:
    """Sankey of nodes (label, kind, key, value_wan) and links (source, target, value_wan),
    node/link indexes into `nodes`. customdata of a node = [kind, key] (read on click)."""
    if nodes.empty or links.empty:
        return empty_figure(empty_text, height=height)
    colors = [NODE_COLORS.get(k, NEUTRAL) for k in nodes["kind"]]
    link_colors = [_fade(colors[s]) for s in links["source"]]
    keys = [[k, v] for k, v in zip(nodes["kind"], nodes["key"])]
    fig = _figure([_trace("sankey",
        arrangement="fixed", valueformat=",.1f", valuesuffix="", customdata=keys,
        node=dict(label=list(nodes["label"]), color=colors, pad=14, thickness=16,
                  line=dict(width=0), customdata=[[k, v] for k, v in zip(nodes["kind"], nodes["key"])],
                  hovertemplate="%{label}<br>" + value_label + " %{value:,.1f}<extra></extra>"),
        link=dict(source=list(links["source"]), target=list(links["target"]),
                  value=list(links["value_wan"]), color=link_colors,
                  hovertemplate="%{source.label} → %{target.label}<br>" + value_label
                  + " %{value:,.1f}<extra></extra>"),
    )])
    return base_layout(fig).update_layout(margin=dict(l=8, r=8, t=16, b=8))


WAN_TICKS = ",~f"  # 万元 axes: 20,000 not plotly's SI "20k" (which would read "20k 万元")


def _fade(hex_color: str, alpha: float = 0.35) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def progress_figure(frame: pd.DataFrame, *, year_share: float, labels: dict,
                    empty_text: str) -> go.Figure:
    """Horizontal bars of disbursement rate per unit (name, rate, allocated, paid, status,
    status_label), coloured by status, with the share of the year elapsed as a line."""
    data = frame.dropna(subset=["rate"]) if not frame.empty else frame
    if data.empty:
        return empty_figure(empty_text)
    data = data.sort_values("rate", ascending=False)
    fig = _figure([_trace("bar",
        y=data["name"], x=data["rate"].astype(float) * 100, orientation="h",
        marker_color=[STATUS_COLORS.get(s, NEUTRAL) for s in data["status"]],
        text=[f"{r * 100:.1f}%" for r in data["rate"]], textposition="outside", cliponaxis=False,
        customdata=list(zip(data["allocated"] / WAN, data["paid"] / WAN, data["status_label"], data["code"])),
        hovertemplate="%{y}<br>" + labels["rate"] + " %{x:.1f}%<br>" + labels["allocated"]
        + " %{customdata[0]:,.1f}<br>" + labels["paid"] + " %{customdata[1]:,.1f}<br>"
        + "%{customdata[2]}<extra></extra>")])
    fig.add_vline(x=year_share * 100, line_dash="dash", line_color=BAD,
                  annotation_text=labels["year_share"], annotation_position="top",
                  annotation_font_color=BAD)
    fig.update_xaxes(range=[0, 100], ticksuffix="%")  # a rate's axis ends at 100 %
    fig.update_yaxes(autorange="reversed", automargin=True)
    return base_layout(fig).update_layout(showlegend=False, margin=dict(l=8, r=24, t=30, b=8))


def overdue_figure(frame: pd.DataFrame, *, buckets: list[tuple[str, str]], value_label: str,
                   empty_text: str) -> go.Figure:
    """Stacked horizontal bars: amount outstanding (万元) per unit (name) and age bucket."""
    if frame.empty or frame["amount"].sum() <= 0:
        return empty_figure(empty_text)
    order = frame.groupby("name")["amount"].sum().sort_values(ascending=False).index.tolist()
    code_of = dict(zip(frame["name"], frame["unit"]))
    fig = _Traces()
    for key, label in buckets:
        part = frame[frame["age_bucket"] == key].set_index("name")[["payments", "amount"]].reindex(order).fillna(0)
        fig.add_bar(y=order, x=part["amount"] / WAN, name=label, orientation="h",
                    marker_color=AGE_COLORS[key],
                    customdata=[[n, code_of[name]] for n, name in zip(part["payments"], order)],
                    hovertemplate="%{y} · " + label + "<br>" + value_label
                    + " %{x:,.1f}<br>%{customdata[0]:,.0f}<extra></extra>")
    fig = _figure(fig)
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(tickformat=WAN_TICKS)
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return base_layout(fig)


def ledger_figure(frame: pd.DataFrame, *, category_labels: dict, month_label, value_label: str,
                  empty_text: str) -> go.Figure:
    """Monthly village income (up) and expenditure (down) by category, stacked, in 万元."""
    if frame.empty:
        return empty_figure(empty_text, height=340)
    months = sorted(frame["month_key"].unique())
    x = [month_label(m) for m in months]
    fig = _Traces()
    cats = frame.groupby(["direction", "category"])["amount"].sum().reset_index()
    for i, row in enumerate(cats.sort_values(["direction", "amount"], ascending=[False, False]).itertuples()):
        sign = 1 if row.direction == "income" else -1
        part = frame[(frame["direction"] == row.direction) & (frame["category"] == row.category)]
        values = part.set_index("month_key")["amount"].reindex(months).fillna(0) / WAN * sign
        fig.add_bar(x=x, y=values, name=category_labels.get(row.category, row.category),
                    marker_color=SERIES[i % len(SERIES)] if sign > 0 else _expense_color(i),
                    legendgroup=row.direction,
                    hovertemplate="%{x} · " + category_labels.get(row.category, row.category)
                    + "<br>" + value_label + " %{customdata[0]:,.1f}<extra></extra>",
                    customdata=[[abs(v), int(m), row.category, row.direction] for v, m in zip(values, months)])
    fig = _figure(fig)
    fig.update_layout(barmode="relative", legend=dict(orientation="h", y=-0.12, yanchor="top", x=0))
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(title=value_label, zeroline=True, zerolinecolor="#495057", tickformat=WAN_TICKS)
    return base_layout(fig)


def _expense_color(i: int) -> str:
    palette = ["#7f2704", "#a63603", "#d94801", "#f16913", "#fd8d3c", "#fdae6b", "#fdd0a2"]
    return palette[i % len(palette)]


def disclosure_units_figure(frame: pd.DataFrame, *, labels: dict, empty_text: str) -> go.Figure:
    """On-time rate per unit (name, rate, due, on_time, late, unpublished), worst first."""
    data = frame.dropna(subset=["rate"]) if not frame.empty else frame
    if data.empty:
        return empty_figure(empty_text)
    data = data.sort_values("rate")
    fig = _figure([_trace("bar",
        y=data["name"], x=data["rate"].astype(float) * 100, orientation="h", marker_color=PRIMARY,
        text=[f"{r * 100:.1f}%" for r in data["rate"]], textposition="outside", cliponaxis=False,
        customdata=[[*r, str(code)] for r, code in  # [..., unit code] for a click
                    zip(data[["due", "on_time", "late", "unpublished"]].to_numpy().tolist(), data["code"])],
        hovertemplate="%{y}<br>" + labels["rate"] + " %{x:.1f}%<br>" + labels["due"]
        + " %{customdata[0]:,.0f} · " + labels["on_time"] + " %{customdata[1]:,.0f} · "
        + labels["late"] + " %{customdata[2]:,.0f} · " + labels["unpublished"]
        + " %{customdata[3]:,.0f}<extra></extra>")])
    low = max(0.0, float(data["rate"].min()) * 100 - 10)
    fig.update_xaxes(range=[low, 100], ticksuffix="%")  # a rate's axis ends at 100 % (labels drawn outside)
    fig.update_yaxes(automargin=True)
    return base_layout(fig).update_layout(margin=dict(l=8, r=24, t=16, b=8))


def disclosure_kinds_figure(frame: pd.DataFrame, *, kind_labels: dict, labels: dict,
                            empty_text: str) -> go.Figure:
    """Per kind of item: published on time, late, not published (stacked counts)."""
    if frame.empty:
        return empty_figure(empty_text)
    y = [kind_labels.get(k, k) for k in frame["kind"]]
    fig = _Traces()
    for col, color in (("on_time", "#1a9850"), ("late", "#e0a800"), ("unpublished", BAD)):
        fig.add_bar(y=y, x=frame[col], name=labels[col], orientation="h", marker_color=color,
                    customdata=[[k, col] for k in frame["kind"]],  # [kind, status] for a click
                    hovertemplate="%{y} · " + labels[col] + " %{x:,.0f}<extra></extra>")
    fig = _figure(fig)
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(tickformat=",d")  # counts in full: "20,000", not "20k"
    return base_layout(fig)


def projects_figure(frame: pd.DataFrame, *, category_labels: dict, labels: dict,
                    empty_text: str) -> go.Figure:
    """Budget and spent (万元) per project category, with the number of delayed projects."""
    if frame.empty:
        return empty_figure(empty_text)
    by_cat = frame.groupby("category").agg(budget=("budget", "sum"), spent=("spent", "sum"),
                                           projects=("projects", "sum")).reset_index()
    delayed = frame[frame["status"] == "delayed"].groupby("category")["projects"].sum()
    by_cat["delayed"] = by_cat["category"].map(delayed).fillna(0).astype(int)
    by_cat = by_cat.sort_values("budget", ascending=False)
    x = [category_labels.get(c, c) for c in by_cat["category"]]
    fig = _Traces()
    fig.add_bar(x=x, y=by_cat["budget"] / WAN, name=labels["budget"], marker_color="#9ecae1",
                customdata=list(by_cat["category"]),
                hovertemplate="%{x}<br>" + labels["budget"] + " %{y:,.1f}<extra></extra>")
    fig.add_bar(x=x, y=by_cat["spent"] / WAN, name=labels["spent"], marker_color=PRIMARY,
                customdata=list(by_cat["category"]),
                text=[labels["delayed_n"].format(n=n) if n else "" for n in by_cat["delayed"]],
                textposition="outside", textfont_color=BAD, cliponaxis=False,
                hovertemplate="%{x}<br>" + labels["spent"] + " %{y:,.1f}<extra></extra>")
    fig = _figure(fig)
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_yaxes(title=labels["value"], tickformat=WAN_TICKS)
    return base_layout(fig)
