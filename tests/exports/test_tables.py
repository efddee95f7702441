"""Table exports of the records grid: formula cells neutralised in CSV and XLSX files."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

# --- neutralisation and files -----------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx",
                                   "=HYPERLINK(\"http://x\")"])
def test_formula_cells_are_neutralised(value):
    from exports.tables import frame_to_csv_bytes, frame_to_xlsx_bytes, neutralise
    assert neutralise(value) == "'" + value
    frame = pd.DataFrame({"a": [value], "b": [3.5]})
    body = frame_to_csv_bytes(frame)
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 Chinese
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + value and rows[1][1] == "3.5"
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(frame_to_xlsx_bytes(frame))).active
    assert ws.cell(2, 1).value == "'" + value and ws.cell(2, 1).data_type == "s"
    assert ws.cell(2, 2).value == 3.5


def test_plain_values_are_left_alone():
    from exports.tables import neutralise
    assert [neutralise(v) for v in ("龙门村", "a=b", 5, None, -3)] == ["龙门村", "a=b", 5, None, -3]
