"""`cli.py import --dry-run`: files and folders in load order, one JSON object per file with
the rows that would load and every error; exit 2 when a file cannot be read."""
from __future__ import annotations

import json

from typer.testing import CliRunner

import cli
from data.intake.service import expand

LEDGER = "凭证号,村代码,记账日期,收支类型,会计科目,金额\n记-1,431023100201,2026-11-05,支出,办公费,1\n"


def test_folders_expand_in_load_order(tmp_path):
    for name in ("complaints.csv", "regions.xlsx", "fund_payments-永兴.csv", "notes.csv", "~$regions.xlsx"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand([tmp_path])] == ["regions.xlsx", "fund_payments-永兴.csv", "complaints.csv",
                                                    "notes.csv"]


def test_dry_run_json_reports_each_file(tmp_path):
    (tmp_path / "village_ledger.csv").write_text(LEDGER + "记-2,431023100201,2026-02-30,支出,办公费,1\n",
                                                 encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["import", str(tmp_path / "village_ledger.csv"), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert {k: report[k] for k in ("file", "dataset", "batch", "rows", "loaded", "rejected")} == {
        "file": "village_ledger.csv", "dataset": "village_ledger", "batch": None, "rows": 2, "loaded": 1, "rejected": 1}
    assert report["errors"] == [{"line": 3, "column": "记账日期", "value": "2026-02-30", "reason": "不是有效日期",
                                 "reason_en": "is not a valid date"}]


def test_an_unreadable_file_exits_2_and_loading_is_not_offered_yet(tmp_path):
    (tmp_path / "village_ledger.csv").write_text("凭证号,村代码\n1,2\n", encoding="utf-8")
    (tmp_path / "complaints.csv").write_text("", encoding="utf-8")
    checked = CliRunner().invoke(cli.app, ["import", str(tmp_path), "--dry-run"])
    assert checked.exit_code == 2 and "缺少必填列" in checked.output
    refused = CliRunner().invoke(cli.app, ["import", str(tmp_path)])
    assert refused.exit_code == 2 and "--dry-run" in refused.output
