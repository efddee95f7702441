"""KPI tiles: value, week-on-week change coloured by whether it is better or worse,
and the indicator's formula as a tooltip (GLOSSARY: formulas shown in tooltips)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

import ids
from components.attrs import html_attrs, level_class
from data.judgement import describe_change, judge, sentence, sentence_value
from data.queries.metrics import KPI_WINDOWS
from i18n import t

ARROWS = {"up": "▲", "down": "▼", "flat": "■"}


def kpi_tile(row: pd.Series, lang: str) -> dbc.Col:
    """One tile for a fetch_kpis row: the value coloured by its judgement, the change
    worded and coloured by it (data.judgement)."""
    key = row["key"]
    verdict = judge(key, row["value"], benchmark=row.get("benchmark"), sample=row.get("sample"),
                    numerator=row.get("numerator"))
    change = describe_change(key, row["value"], row["previous"], lang, small=verdict.why == "small_sample")
    direction = change["direction"] if change["direction"] != "none" else "flat"
    rising = (row["value"] or 0) > (row["previous"] or 0) if row["previous"] is not None else False
    arrow = ARROWS["flat" if direction == "flat" else ("up" if rising else "down")]
    tile_id = ids.kpi_tile(key)
    body = html.Div([
        html.Div([t(f"kpi.{key}", lang), *_window_note(key, lang)], className="sun-kpi-label",
                 id=ids.kpi_label(key)),
        html.Div(sentence_value(verdict, lang), className=f"sun-kpi-value {level_class(verdict.level)}",
                 title=sentence(verdict, lang)),
        html.Div([html.Span(arrow, className="sun-kpi-arrow"), " ",
                  html.Span(change["text"]), " ",
                  html.Span(t("change.vs_last_week", lang), className="sun-kpi-vs")],
                 className=f"sun-kpi-change sun-{direction}"),
        dbc.Tooltip(f"{t('common.formula', lang)}：{t(f'formula.{key}', lang)}",
                    target=ids.kpi_label(key), placement="bottom"),
    ], className="sun-kpi", id=tile_id, **html_attrs({"data-direction": direction, "data-key": key,
                                                      "data-level": verdict.level or "none"}))
    return dbc.Col(body, xs=6, md=3, xxl=True)


def _window_note(key: str, lang: str) -> list:
    """'(last 5 weeks)' after the label of a KPI not taken over the single week."""
    weeks = KPI_WINDOWS.get(key)
    return [html.Span(t("kpi.window_weeks", lang, n=weeks), className="sun-kpi-window")] if weeks else []


def kpi_tiles(kpis: pd.DataFrame, lang: str) -> list:
    """A responsive row of tiles (4 per row on tablets, all 8 in a row from 1400 px)."""
    if kpis.empty:
        return [dbc.Alert(t("overview.no_region", lang), color="secondary")]
    return [dbc.Row([kpi_tile(row, lang) for _, row in kpis.iterrows()], className="g-2")]
