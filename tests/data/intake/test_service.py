"""`cli.py import --dry-run`: files and folders in load order, one JSON object per file with
the rows that would load and every error (references checked against the database and
the files before); exit 2 when a file cannot be read."""
from __future__ import annotations

import json

from typer.testing import CliRunner

import cli
from data.intake.service import expand

LEDGER = "凭证号,村代码,记账日期,收支类型,会计科目,金额\n记-1,431023100201,2026-11-05,支出,办公费,1\n"
REGIONS = ("区划代码,名称,层级,上级代码\n431023100000,马岭镇,乡镇,431023000000\n"
           "431023100201,示例村,村,431023100000\n")


def test_folders_expand_in_load_order(tmp_path):
    for name in ("complaints.csv", "regions.xlsx", "fund_payments-永兴.csv", "notes.csv", "~$regions.xlsx"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand([tmp_path])] == ["regions.xlsx", "fund_payments-永兴.csv", "complaints.csv",
                                                    "notes.csv"]


def test_dry_run_json_reports_each_file(tmp_path):
    (tmp_path / "regions.csv").write_text(REGIONS, encoding="utf-8")
    (tmp_path / "village_ledger.csv").write_text(LEDGER + "记-2,431023100201,2026-02-30,支出,办公费,1\n"
                                                 "记-3,431023100299,2026-02-03,支出,办公费,1\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(cli.app, ["import", str(tmp_path), "--dry-run", "--json", "--database-url", url])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert {k: report[k] for k in ("file", "dataset", "batch", "rows", "loaded", "rejected")} == {
        "file": "village_ledger.csv", "dataset": "village_ledger", "batch": None, "rows": 3, "loaded": 1, "rejected": 2}
    # the village of line 2 comes from the regions file of the same import; line 4's from nowhere
    assert report["errors"] == [
        {"line": 3, "column": "记账日期", "value": "2026-02-30", "reason": "不是有效日期",
         "reason_en": "is not a valid date"},
        {"line": 4, "column": "村代码", "value": "431023100299", "reason": "不存在（区划代码未登记，请先导入行政区划）",
         "reason_en": "does not exist (import the regions first)"}]


def test_an_unreadable_file_exits_2_and_loads_nothing(tmp_path):
    (tmp_path / "village_ledger.csv").write_text("凭证号,村代码\n1,2\n", encoding="utf-8")
    (tmp_path / "complaints.csv").write_text("", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    checked = CliRunner().invoke(cli.app, ["import", str(tmp_path), "--dry-run", "--database-url", url])
    assert checked.exit_code == 2 and "缺少必填列" in checked.output
    loaded = CliRunner().invoke(cli.app, ["import", str(tmp_path), "--database-url", url])
    assert loaded.exit_code == 2 and "缺少必填列" in loaded.output
