"""Print the judgement of every indicator (data/judgement.py) as a Markdown table:

    python tools/judgements_table.py [--lang zh-CN|en]

Direction, benchmark, minimum sample and bands, read from the table the product uses
(with the settings' floors and 红/黄/蓝 points), so the docs cannot drift from the code.
"""
from __future__ import annotations

import sys
from pathlib import Path

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.judgement import judgements
from i18n import t


def _level(value, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:g} %" if unit == "rate" else f"{value:g}"


def _gap(value: float, kind: str, unit: str) -> str:
    if kind == "peers":
        return f"≥ {1 + value:g}× median"
    if kind == "zero" or value < 1e-6:  # the band starts at any shortfall
        return "> 0"
    return f"≥ {value * 100:g} pp" if unit == "rate" else f"≥ {value:g}"


def rows(lang: str = "en") -> list[list[str]]:
    out = []
    for key, j in judgements().items():
        if key == "disbursement_rate":  # the same judgement as disbursement_rate_ytd
            continue
        bands = "; ".join(f"{band} {_gap(start, j.benchmark, j.unit)}" for band, start, _ in j.bands) or "—"
        out.append([t(f"kpi.{key}", lang), key, "higher" if j.higher_is_better else "lower",
                    f"{j.benchmark} {_level(j.level, j.unit) if j.level is not None else ''}".strip(),
                    f"{j.min_sample} ({j.sample})" if j.sample and j.min_sample else "—", bands])
    return out


def main(lang: str = typer.Option("en")) -> None:
    head = ["indicator", "key", "better when", "benchmark", "min. sample", "bands: how far on the bad side (worst first)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows(lang):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    typer.run(main)
