"""KPI tiles: value, week-on-week change coloured by whether it is better or worse,
and the indicator's formula as a tooltip (GLOSSARY: formulas shown in tooltips)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

import ids
from components.attrs import html_attrs
from data.indicators import INDICATORS
from data.queries.metrics import KPI_WINDOWS
from i18n import t
from i18n.numbers import change_direction, format_change, format_value

ARROWS = {"up": "▲", "down": "▼", "flat": "■"}


def kpi_tile(row: pd.Series, lang: str) -> dbc.Col:
    """One tile for a fetch_kpis row (key, value, previous, change, unit)."""
    key, unit = row["key"], row["unit"]
    indicator = INDICATORS[key]
    change = row["change"]
    direction = change_direction(change, indicator.higher_is_better)
    arrow = ARROWS["flat" if direction == "flat" else ("up" if change > 0 else "down")]
    tile_id = ids.kpi_tile(key)
    body = html.Div([
        html.Div([t(f"kpi.{key}", lang), *_window_note(key, lang)], className="sun-kpi-label",
                 id=ids.kpi_label(key)),
        html.Div(format_value(row["value"], unit, lang), className="sun-kpi-value"),
        html.Div([html.Span(arrow, className="sun-kpi-arrow"), " ",
                  html.Span(format_change(change, unit, lang)), " ",
                  html.Span(t("change.vs_last_week", lang), className="sun-kpi-vs")],
                 className=f"sun-kpi-change sun-{direction}"),
        dbc.Tooltip(f"{t('common.formula', lang)}：{t(f'formula.{key}', lang)}",
                    target=ids.kpi_label(key), placement="bottom"),
    ], className="sun-kpi", id=tile_id, **html_attrs({"data-direction": direction, "data-key": key}))
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
