"""Every dataset's XLSX template: its header is what the import recognises, its example row
is complete, and its explanation sheet names every column; `cli.py import-template`."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from data.intake.datasets import DATASETS, find_header
from exports.templates import template_xlsx


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_template_reads_back_as_its_dataset(name):
    dataset = DATASETS[name]
    book = load_workbook(io.BytesIO(template_xlsx(dataset)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = find_header(dataset, rows)
    assert header is not None and header.line == 2 and header.missing == () and header.unknown == ()
    example = dict(zip([c.key for c in header.columns.values()], rows[2]))
    assert {k: v or "" for k, v in example.items()} == dataset.example
    explained = [r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True) if r and r[1]]
    assert explained[:len(dataset.columns)] == [c.key for c in dataset.columns]


def test_cli_writes_a_template_and_refuses_an_unknown_dataset(tmp_path):
    import cli
    out = tmp_path / "t.xlsx"
    ok = CliRunner().invoke(cli.app, ["import-template", "complaints", "--out", str(out)])
    assert ok.exit_code == 0 and load_workbook(out).worksheets[0]["A2"].value == "投诉编号*"
    bad = CliRunner().invoke(cli.app, ["import-template", "budget"])
    assert bad.exit_code == 2 and "regions" in bad.output
