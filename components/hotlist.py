"""The list of the townships needing most attention, each with its reasons in words."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from components.attrs import level_class
from components.state import state_href
from data.judgement import judge, reason_sentences
from i18n import t


def hot_item(rank: int, row: pd.Series, query: dict, lang: str, short: bool = False) -> html.Li:
    """One township: rank, name (county), index badge, reasons (`short`: the wall
    screen's shorter wording), link to the map."""
    reasons = reason_sentences(row["reasons"], lang, n=2, short=short) or [t("judge.no_reason", lang)]
    level = judge("attention_index", row["attention_index"]).level  # the index's own lines, not the rank
    href = state_href("/map", query, region=row["code"])
    profile = state_href(f"/region/{row['code']}", {k: v for k, v in query.items() if k != "region"})
    return html.Li([
        html.Span(str(rank), className="sun-hot-rank"),
        html.Div([
            html.Div([dcc.Link(row["name"], href=href, className="sun-hot-name",
                               title=t("overview.hot.open_map", lang)),
                      html.Span(row.get("county_name") or "", className="sun-hot-parent"),
                      dcc.Link(t("map.hot.profile", lang), href=profile, className="sun-hot-profile",
                               title=t("map.hot.profile_title", lang))]),
            html.Div("；".join(reasons) if lang != "en" else "; ".join(reasons),
                     className="sun-hot-reasons"),
        ], className="sun-hot-body"),
        html.Span(f"{row['attention_index']:.0f}", className=f"sun-hot-score {level_class(level)}",
                  title=t("index.attention", lang)),
    ], className=f"sun-hot-item sun-hot-{level or 'none'}")


def hot_list(hot: pd.DataFrame, query: dict, lang: str, short: bool = False):
    """Ordered list of hot townships, or a note when there are none."""
    if hot.empty:
        return html.P(t("overview.hot.empty", lang), className="text-muted")
    return html.Ul([hot_item(i, row, query, lang, short) for i, (_, row) in enumerate(hot.iterrows(), 1)],
                   className="sun-hot-list")
