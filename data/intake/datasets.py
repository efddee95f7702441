"""The exchange format's datasets, declared once: columns (Chinese and English headers,
required or not, value kind, allowed values), key, and an example row.

Everything that reads or explains an exchange file uses this declaration: the header
finder below, the XLSX templates (exports/templates.py) and the import service. The
order of DATASETS is the order a multi-file import loads them (references first).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# value kinds, as the format's "Values" section describes them
KINDS = ("text", "code", "date", "datetime", "period", "amount", "number", "int", "bool", "choice")


@dataclass(frozen=True)
class Column:
    key: str                      # English header, and the field name
    zh: str                       # Chinese header (primary)
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()  # for kind "choice": the accepted values (Chinese, English)
    note: str = ""                 # what the value means, when the name does not say it
    low: float | None = None       # for "int"/"number": the smallest and largest allowed value
    high: float | None = None
    # not in the format's table: a column its systems export that the dashboard needs
    # (an allocation's own source of money, a complaint's handling department, ...)
    extension: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of column {self.key}")


@dataclass(frozen=True)
class Dataset:
    name: str
    zh: str
    columns: tuple[Column, ...]
    key: str
    example: dict[str, str] = field(default_factory=dict)
    # the column a key is unique within: voucher numbers run per village (JZ202611-0001 in
    # every village of a county's file), so a voucher is its village and its number
    within: str = ""

    @property
    def identity(self) -> list[str]:
        return [self.within, self.key] if self.within else [self.key]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _c(key, zh, kind="text", required=False, choices=(), note="", low=None, high=None):
    return Column(key, zh, kind, required, tuple(choices), note, low, high)


def _x(key, zh, kind="text", choices=(), note="", low=None, high=None):
    """An extension column (optional, see Column.extension)."""
    return Column(key, zh, kind, False, tuple(choices), note, low, high, extension=True)


LEVELS = ("省", "市", "县", "乡镇", "村", "province", "city", "county", "township", "village")
SOURCE_LEVELS = ("中央", "省级", "市级", "县级", "central", "provincial", "municipal", "county")
DIRECTIONS = ("收入", "支出", "income", "expense")
DISCLOSURE_KINDS = ("财务公开", "村务公开", "党务公开", "惠民资金公开", "项目公开")
CHANNELS = ("12345热线", "热线", "APP", "微信", "随手拍", "一键通", "来信", "来访")
STATUSES = ("待受理", "已受理", "办理中", "已答复", "已办结")
SATISFACTION = ("非常满意", "满意", "基本满意", "不满意")
WARNING_LEVELS = ("红", "橙", "黄", "red", "orange", "yellow")
PERIOD_UNITS = ("月", "年", "次")

DATASETS: dict[str, Dataset] = {d.name: d for d in (
    Dataset("regions", "行政区划", (
        _c("code", "区划代码", "code", True), _c("name", "名称", required=True),
        _c("level", "层级", "choice", True, LEVELS), _c("parent_code", "上级代码", "code", True),
        _c("population", "户籍人口", "int", low=0), _c("lon", "经度", "number", note="decimal degrees", low=73, high=136),
        _c("lat", "纬度", "number", note="decimal degrees", low=3, high=54)), "code",
        {"code": "431023100201", "name": "示例村", "level": "村", "parent_code": "431023100000",
         "population": "1260", "lon": "113.11", "lat": "26.13"}),
    Dataset("fund_programs", "资金项目", (
        _c("program_code", "项目编码", required=True), _c("program_name", "项目名称", required=True),
        _c("category", "资金类别", required=True), _c("source_level", "资金来源", "choice", True, SOURCE_LEVELS),
        _c("department", "主管部门"), _c("standard_amount", "补助标准", "amount"),
        _c("standard_period", "标准周期", "choice", choices=PERIOD_UNITS)), "program_code",
        {"program_code": "DB2026", "program_name": "农村低保", "category": "社会救助", "source_level": "中央",
         "department": "民政局", "standard_amount": "420.00", "standard_period": "月"}),
    Dataset("fund_allocations", "资金下达", (
        _c("allocation_no", "指标文号", required=True), _c("program_code", "项目编码", required=True),
        _c("region_code", "区划代码", "code", True), _c("fiscal_year", "年度", "int", True, low=2000, high=2100),
        _c("amount", "下达金额", "amount", True), _c("allocated_on", "下达日期", "date", True),
        _x("source_level", "资金来源", "choice", SOURCE_LEVELS, note="the programme's source when empty")),
        "allocation_no",
        {"allocation_no": "郴财社〔2026〕12号", "program_code": "DB2026", "region_code": "431023",
         "fiscal_year": "2026", "amount": "1250000.00", "allocated_on": "2026-02-15", "source_level": "中央"}),
    Dataset("persons", "人员", (
        _c("person_key", "人员标识", required=True, note="pseudonymous key, never a name or ID number"),
        _c("village_code", "村代码", "code", True), _c("deceased_on", "死亡日期", "date"),
        _c("official_post", "公职身份"), _c("related_official_key", "关联公职人员"), _c("relation", "关系"),
        _c("owns_vehicle", "名下车辆", "bool"), _c("owns_property", "名下房产", "bool"),
        _x("birth_year", "出生年份", "int", low=1900, high=2100)), "person_key",
        {"person_key": "P000123", "village_code": "431023100201", "deceased_on": "", "official_post": "",
         "related_official_key": "", "relation": "", "owns_vehicle": "否", "owns_property": "否",
         "birth_year": "1958"}),
    Dataset("fund_payments", "资金发放", (
        _c("payment_no", "发放流水号", required=True), _c("program_code", "项目编码", required=True),
        _c("village_code", "村代码", "code", True), _c("beneficiary_key", "受益人标识", required=True),
        _c("amount", "发放金额", "amount", True), _c("period", "所属期间", "period", True),
        _c("due_on", "应发日期", "date", True), _c("paid_on", "实发日期", "date")), "payment_no",
        {"payment_no": "FF20261100001", "program_code": "DB2026", "village_code": "431023100201",
         "beneficiary_key": "P000123", "amount": "420.00", "period": "2026-11", "due_on": "2026-11-10",
         "paid_on": "2026-11-08"}),
    Dataset("village_ledger", "村级财务", (
        _c("voucher_no", "凭证号", required=True), _c("village_code", "村代码", "code", True),
        _c("booked_on", "记账日期", "date", True), _c("direction", "收支类型", "choice", True, DIRECTIONS),
        _c("category", "会计科目", required=True), _c("amount", "金额", "amount", True),
        _c("counterparty", "对方单位"), _c("summary", "摘要")), "voucher_no",
        {"voucher_no": "记-2026-11-0042", "village_code": "431023100201", "booked_on": "2026-11-05",
         "direction": "支出", "category": "公益事业支出", "amount": "3600.00", "counterparty": "某建材店",
         "summary": "村道修补材料"}, within="village_code"),
    Dataset("disclosures", "三务公开", (
        _c("item_no", "公开事项编号", required=True), _c("village_code", "村代码", "code", True),
        _c("kind", "公开类别", "choice", True, DISCLOSURE_KINDS), _c("period", "所属期间", "period", True),
        _c("due_on", "应公开日期", "date", True), _c("published_on", "实际公开日期", "date")), "item_no",
        {"item_no": "GK-431023100201-2026-11-01", "village_code": "431023100201", "kind": "财务公开",
         "period": "2026-11", "due_on": "2026-12-10", "published_on": "2026-12-06"}),
    Dataset("complaints", "投诉举报", (
        _c("complaint_no", "投诉编号", required=True), _c("received_at", "登记时间", "datetime", True),
        _c("channel", "渠道", "choice", True, CHANNELS), _c("category", "问题类别", required=True),
        _c("region_code", "区划代码", "code", True, note="a village, township or county"),
        _c("subject", "被反映对象"), _c("status", "办理状态", "choice", True, STATUSES),
        _c("accepted_at", "受理时间", "datetime"), _c("replied_at", "答复时间", "datetime"),
        _c("closed_at", "办结时间", "datetime"),
        _c("time_limit_days", "办理时限", "int", True, note="working days", low=1, high=365),
        _c("satisfaction", "满意度", "choice", choices=SATISFACTION), _c("content", "反映内容"),
        _c("complainant_name", "投诉人姓名", note="protected personal data"),
        _c("complainant_phone", "联系电话", note="protected personal data"),
        _x("department", "承办部门", note="the department the case was assigned to"),
        _x("repeat_of_no", "重复件原编号", note="complaint_no of the earlier case this one repeats")), "complaint_no",
        {"complaint_no": "TS202611250001", "received_at": "2026-11-25 09:30", "channel": "12345热线",
         "category": "惠民资金", "region_code": "431023100201", "subject": "", "status": "已受理",
         "accepted_at": "2026-11-25 10:05", "replied_at": "", "closed_at": "", "time_limit_days": "10",
         "satisfaction": "", "content": "反映低保发放不及时", "complainant_name": "", "complainant_phone": "",
         "department": "民政局", "repeat_of_no": ""}),
    Dataset("service_requests", "我要办", (
        _c("request_no", "申请编号", required=True), _c("matter", "办理事项", required=True),
        _c("village_code", "村代码", "code", True), _c("submitted_at", "申请时间", "datetime", True),
        _c("time_limit_days", "承诺时限", "int", True, note="working days", low=1, high=365),
        _c("completed_at", "办结时间", "datetime"), _c("rating", "评价", "int", note="1 to 5", low=1, high=5)), "request_no",
        {"request_no": "BS202611200007", "matter": "低保申请", "village_code": "431023100201",
         "submitted_at": "2026-11-20 14:10", "time_limit_days": "15", "completed_at": "", "rating": ""}),
    Dataset("warnings", "风险预警", (
        _c("warning_no", "预警编号", required=True), _c("source", "预警来源", required=True),
        _c("level", "预警等级", "choice", True, WARNING_LEVELS), _c("region_code", "区划代码", "code", True),
        _c("raised_at", "预警时间", "datetime", True), _c("task_at", "任务下达时间", "datetime"),
        _c("verified_at", "核查完成时间", "datetime"), _c("closed_at", "销号时间", "datetime"),
        _c("feedback", "核查结论"), _x("title", "预警事项", note="what the warning is about, in one line")),
        "warning_no",
        {"warning_no": "YJ202611000031", "source": "大数据比对", "level": "黄", "region_code": "431023100201",
         "raised_at": "2026-11-18 08:00", "task_at": "2026-11-18 09:00", "verified_at": "", "closed_at": "",
         "feedback": "", "title": "低保对象名下有车辆"}),
)}

# (earlier, later) columns of a row whose times must not go backwards (a case closed
# before it was received is an error, not data)
TIME_ORDER = {
    "complaints": (("received_at", "accepted_at"), ("received_at", "replied_at"), ("received_at", "closed_at")),
    "service_requests": (("submitted_at", "completed_at"),),
    "warnings": (("raised_at", "task_at"), ("raised_at", "verified_at"), ("raised_at", "closed_at")),
}

# the order the issue and the format load them in (references before what refers to them)
LOAD_ORDER = ("regions", "fund_programs", "fund_allocations", "persons", "fund_payments", "village_ledger",
              "disclosures", "complaints", "service_requests", "warnings")
_STEM_SPLIT = re.compile(r"[_\-\s]|(?=\d{4}[-年]?\d{0,2})")


def dataset_of_filename(filename: str) -> str | None:
    """The dataset a file name says: its stem, or the stem's prefix before `_`, `-` or a
    date ('complaints_2026-11.xlsx', 'fund_payments-双峰县.csv'); None when it says none."""
    stem = re.sub(r"\.[^.]+$", "", filename.rsplit("/", 1)[-1]).strip().lower()
    if stem in DATASETS:
        return stem
    for name in sorted(DATASETS, key=len, reverse=True):  # fund_payments before a shorter prefix
        if stem.startswith(name) and _STEM_SPLIT.match(stem[len(name):] or " "):
            return name
    return None


def _norm(cell) -> str:
    return re.sub(r"[\s\*＊]+", "", str(cell if cell is not None else "")).lower()


def header_names(dataset: Dataset) -> dict[str, Column]:
    """Every accepted spelling of a header (Chinese, English; spaces, case and '*' ignored)."""
    names: dict[str, Column] = {}
    for col in dataset.columns:
        names[_norm(col.zh)] = col
        names[_norm(col.key)] = col
    return names


@dataclass(frozen=True)
class Header:
    line: int                          # the header's line number, as the file shows it (1-based)
    columns: dict[int, Column]         # position in the row -> the column it is
    unknown: tuple[str, ...]           # headers that are no column of the dataset (ignored)
    missing: tuple[Column, ...]        # required columns not there (the file is rejected)


def find_header(dataset: Dataset, rows, *, scan: int = 20, least: int | None = None) -> Header | None:
    """The first of the first `scan` rows that names at least `least` (default: half) of
    the dataset's required columns (title rows, often merged, may stand above it); None
    when none does."""
    names = header_names(dataset)
    required = {c.key for c in dataset.required}
    enough = least or max(1, len(required) // 2)
    for number, row in enumerate(rows, start=1):
        if number > scan:
            break
        cells = [_norm(c) for c in row]
        found = {i: names[c] for i, c in enumerate(cells) if c in names}
        if len({col.key for col in found.values()} & required) < enough:
            continue
        unknown = tuple(str(row[i]).strip() for i, c in enumerate(cells) if c and c not in names)
        present = {col.key for col in found.values()}
        missing = tuple(c for c in dataset.required if c.key not in present)
        return Header(number, found, unknown, missing)
    return None
