"""The comparison rule library (比对规则库): what each rule finds, in a sentence, its
thresholds, the datasets it compares, its severity and whether it is on, kept in one YAML
file the commission edits without code (`data/rules/rules.yaml` is the shipped one).

`parse_library(text, source)` reads and checks a file and raises `RuleFileError` with
every problem and its line ("rules.yaml 第 67 行：split_expense 的 threshold …"); nothing
half-read is ever used. `apply_library(conn, text, ...)` stores a checked file as the
library in use (a refused file leaves the one in use as it was); `active_library(conn)`
is the one the rules run with: the last applied, else the shipped file.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import insert, select

from data.model.schema import RuleLibrary

SHIPPED = Path(__file__).with_name("rules.yaml")
SEVERITIES = ("red", "orange", "yellow")
# the exchange datasets a rule may compare (the format's names)
DATASETS = ("regions", "fund_programs", "fund_allocations", "persons", "fund_payments", "village_ledger",
            "disclosures", "complaints", "service_requests", "warnings")
RULE_KEYS = ("code", "enabled", "severity", "compares", "finding", "params")


@dataclass(frozen=True)
class Param:
    """A threshold a rule accepts: an int, a number or a list of programme codes, in a range."""
    kind: str  # int | number | codes (a list, not empty) | words (a list, may be empty)
    low: float = 0
    high: float = 0

    def problem(self, value) -> tuple[str, str] | None:
        """(zh, en) of what is wrong with `value`, or None."""
        if self.kind == "codes":
            if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
                return None
            return "应为资金项目编码的列表，如 [dibao]", "must be a list of programme codes, e.g. [dibao]"
        if self.kind == "words":  # a list that may be empty (categories left out)
            if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
                return None
            return "应为列表，如 [construction] 或 []", "must be a list, e.g. [construction] or []"
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number and self.kind == "int" and float(value) != int(value):
            number = False
        if number and self.low <= value <= self.high:
            return None
        what = "整数" if self.kind == "int" else "数"
        return (f"应为 {self.low:g} 到 {self.high:g} 之间的{what}",
                f"must be {'a whole number' if self.kind == 'int' else 'a number'} from {self.low:g} to {self.high:g}")


# rule code -> its thresholds: what the implementations in comparison.py read
PARAMS: dict[str, dict[str, Param]] = {
    "deceased_payment": {"grace_days": Param("int", 0, 366)},
    "cadre_relative_benefit": {"programs": Param("codes")},
    "beneficiary_assets": {"programs": Param("codes")},
    "duplicate_payment": {},
    "split_expense": {"threshold": Param("number", 1, 10_000_000), "low": Param("number", 0, 10_000_000),
                      "min_entries": Param("int", 2, 50), "max_gap_days": Param("int", 1, 90)},
    "payment_above_standard": {"programs": Param("codes"), "tolerance": Param("number", 0, 10)},
    "round_amounts": {"unit": Param("int", 10, 10_000), "window_months": Param("int", 1, 24),
                      "min_sample": Param("int", 10, 100_000), "min_share": Param("number", 0.01, 1),
                      "expected_share": Param("number", 0.0001, 0.99), "alpha": Param("number", 1e-12, 0.1)},
    "category_jump": {"window_months": Param("int", 1, 12), "history_months": Param("int", 2, 36),
                      "ratio": Param("number", 1.1, 100), "min_increase": Param("number", 0, 100_000_000),
                      "skip_categories": Param("words")},
    "benford_first_digit": {"window_months": Param("int", 1, 36), "min_sample": Param("int", 30, 1_000_000),
                            "min_amount": Param("number", 1, 1_000_000), "alpha": Param("number", 1e-12, 0.1),
                            "min_mad": Param("number", 0, 0.2), "skip_categories": Param("words")},
    "spending_disclosure_overdue": {"overdue_days": Param("int", 0, 365), "min_amount": Param("number", 0, 100_000_000)},
    "payment_overdue": {"overdue_days": Param("int", 1, 365), "min_payments": Param("int", 1, 100_000),
                        "min_share": Param("number", 0, 1)},
}


@dataclass(frozen=True)
class RuleSpec:
    code: str
    on: bool  # "enabled" in the file (YAML reads a bare `on` key as true)
    severity: str
    compares: tuple[str, ...]
    finding_zh: str
    finding_en: str
    params: dict = field(default_factory=dict)

    def finding(self, lang: str) -> str:
        return self.finding_en if lang.startswith("en") else self.finding_zh


# working days a clue may stay in each open step before it is overdue (超期), and how many
# working days before that it is near its deadline (临期): the file's `workflow:` section
DEFAULT_DEADLINES = {"flagged": 5, "verifying": 30, "verified": 10}
DEFAULT_NEAR_DAYS = 3
# working days a warning's verification task is given, by the warning's level
DEFAULT_WARNING_DAYS = {"red": 5, "orange": 10, "yellow": 15}


@dataclass(frozen=True)
class Library:
    rules: tuple[RuleSpec, ...]
    source: str = ""
    sha256: str = ""
    deadlines: dict = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    near_days: int = DEFAULT_NEAR_DAYS
    warning_days: dict = field(default_factory=lambda: dict(DEFAULT_WARNING_DAYS))

    def rule(self, code: str) -> RuleSpec:
        return next(r for r in self.rules if r.code == code)

    def enabled(self) -> tuple[RuleSpec, ...]:
        return tuple(r for r in self.rules if r.on)

    def fed_by(self, dataset: str) -> tuple[str, ...]:
        """The rules (on) an import of `dataset` must re-run: those comparing it, and after
        programmes, those that name programme codes."""
        return tuple(r.code for r in self.enabled()
                     if dataset in r.compares or (dataset == "fund_programs" and "programs" in r.params))


@dataclass(frozen=True)
class Problem:
    line: int
    zh: str
    en: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.zh} / line {self.line}: {self.en}"


class RuleFileError(ValueError):
    """A rule file with problems: every one of them, each with its line."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source, self.problems = source, problems
        super().__init__("\n".join(f"{source} {p}" for p in problems))


def parse_library(text: str, source: str = "rules.yaml") -> Library:
    """The library in `text`, checked whole; RuleFileError naming every problem's line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RuleFileError(source, [Problem(line, f"不是有效的 YAML（{getattr(exc, 'problem', exc)}）",
                                             f"is not valid YAML ({getattr(exc, 'problem', exc)})")]) from None
    problems: list[Problem] = []
    items = _rule_nodes(root, data, problems)
    rules = [rule for node, value in items if (rule := _rule(node, value, problems)) is not None]
    seen: set[str] = set()
    for (node, _), rule in zip(items, rules, strict=False):
        if rule.code in seen:
            problems.append(Problem(_line(node), f"规则 {rule.code} 出现了两次", f"rule {rule.code} appears twice"))
        seen.add(rule.code)
    deadlines, near_days, warning_days = _workflow(root, data, problems)
    if problems:
        raise RuleFileError(source, sorted(problems, key=lambda p: p.line))
    return Library(tuple(rules), source, hashlib.sha256(text.encode("utf-8")).hexdigest(), deadlines, near_days,
                   warning_days)


def _workflow(root, data, problems: list[Problem]) -> tuple[dict, int, dict]:
    """The `workflow:` section: working days per open step, the near-deadline days, and the
    working days of a warning's task per level."""
    section = data.get("workflow") if isinstance(data, dict) else None
    if section is None:
        return dict(DEFAULT_DEADLINES), DEFAULT_NEAR_DAYS, dict(DEFAULT_WARNING_DAYS)
    node = _child(root, "workflow")
    if not isinstance(section, dict):
        problems.append(Problem(_line(node), "workflow 应是键值对", "workflow must be a mapping"))
        return dict(DEFAULT_DEADLINES), DEFAULT_NEAR_DAYS, dict(DEFAULT_WARNING_DAYS)
    deadlines = _working_days(node, section, "deadlines", DEFAULT_DEADLINES, ("办理环节", "workflow step"), problems)
    warning_days = _working_days(node, section, "warning_days", DEFAULT_WARNING_DAYS,
                                 ("预警等级", "warning level"), problems)
    near = section.get("near_days", DEFAULT_NEAR_DAYS)
    if (wrong := Param("int", 0, 30).problem(near)) is not None:
        problems.append(Problem(_line(_child(node, "near_days") or node), f"near_days {wrong[0]}，实为 {near!r}",
                                f"near_days {wrong[1]}, not {near!r}"))
    for key in section:
        if key not in ("deadlines", "near_days", "warning_days"):
            problems.append(Problem(_line(_key(node, key)), f"workflow 没有 {key} 这一项（可用：deadlines、near_days、"
                                    "warning_days）", f"workflow has no item {key!r} (known: deadlines, near_days, "
                                    "warning_days)"))
    return deadlines, int(near) if isinstance(near, int) else DEFAULT_NEAR_DAYS, warning_days


def _working_days(node, section: dict, name: str, defaults: dict, what: tuple[str, str],
                  problems: list[Problem]) -> dict:
    """A mapping of known keys to working days (1-365), defaults for those left out."""
    days = Param("int", 1, 365)
    values = section.get(name, defaults)
    where = _child(node, name) or node
    if not isinstance(values, dict):
        problems.append(Problem(_line(where), f"workflow.{name} 应是键值对", f"workflow.{name} must be a mapping"))
        return dict(defaults)
    for key, value in values.items():
        line = _line(_child(where, key) or where)
        if key not in defaults:
            problems.append(Problem(line, f"没有{what[0]} {key}（可用：{', '.join(defaults)}）",
                                    f"no {what[1]} {key!r} (known: {', '.join(defaults)})"))
        elif (wrong := days.problem(value)) is not None:
            problems.append(Problem(line, f"{key} 的时限{wrong[0]}（工作日），实为 {value!r}",
                                    f"the deadline of {key} {wrong[1]} (working days), not {value!r}"))
    return {**defaults, **{k: int(v) for k, v in values.items() if k in defaults and days.problem(v) is None}}


def _rule_nodes(root, data, problems: list[Problem]) -> list[tuple[yaml.Node, dict]]:
    """(node, value) of every entry under `rules:`."""
    for key in (data if isinstance(data, dict) else {}):
        if key not in ("rules", "workflow"):
            problems.append(Problem(_line(_key(root, key)), f"文件中没有 {key} 这一节（可用：rules、workflow）",
                                    f"the file has no section {key!r} (known: rules, workflow)"))
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        problems.append(Problem(_line(root) if root is not None else 1, "文件应以 rules: 开头，下列各条规则",
                                "the file must hold `rules:` with a list of rules"))
        return []
    nodes = _child(root, "rules").value
    return [(node, value) for node, value in zip(nodes, data["rules"], strict=True)]


def _rule(node, value, problems: list[Problem]) -> RuleSpec | None:
    """One entry checked; its problems appended (None when it has any)."""
    before = len(problems)
    if not isinstance(value, dict):
        problems.append(Problem(_line(node), "每条规则应是键值对（code、enabled、severity …）",
                                "each rule must be a mapping (code, enabled, severity ...)"))
        return None
    code = value.get("code")
    if code not in PARAMS:
        problems.append(Problem(_line(_child(node, "code") or node), f"未知规则 {code!r}（可用：{', '.join(PARAMS)}）",
                                f"unknown rule {code!r} (known: {', '.join(PARAMS)})"))
        return None
    for key in value:
        if key not in RULE_KEYS:
            problems.append(Problem(_line(_key(node, key)), f"{code} 没有 {key} 这一项（可用：{', '.join(RULE_KEYS)}）",
                                    f"{code} has no item {key!r} (known: {', '.join(RULE_KEYS)})"))
    on = value.get("enabled", True)
    if not isinstance(on, bool):
        problems.append(Problem(_line(_child(node, "enabled") or node), f"{code} 的 enabled 应为 true 或 false",
                                f"{code}: enabled must be true or false"))
    severity = value.get("severity")
    if severity not in SEVERITIES:
        problems.append(Problem(_line(_child(node, "severity") or node),
                                f"{code} 的 severity 应为 red、orange 或 yellow，实为 {severity!r}",
                                f"{code}: severity must be red, orange or yellow, not {severity!r}"))
    compares = value.get("compares")
    if not isinstance(compares, list) or not compares:
        problems.append(Problem(_line(_child(node, "compares") or node), f"{code} 的 compares 应列出所比对的数据集",
                                f"{code}: compares must list the datasets it compares"))
        compares = []
    for i, name in enumerate(compares):
        if name not in DATASETS:
            problems.append(Problem(_line(_child(node, "compares").value[i]), f"{code} 比对的数据集 {name!r} 不存在"
                                    f"（可用：{', '.join(DATASETS)}）",
                                    f"{code} compares an unknown dataset {name!r} (known: {', '.join(DATASETS)})"))
    finding = value.get("finding")
    if not (isinstance(finding, dict) and all(isinstance(finding.get(k), str) and finding[k].strip()
                                              for k in ("zh", "en"))):
        problems.append(Problem(_line(_child(node, "finding") or node), f"{code} 的 finding 应有 zh 和 en 两句",
                                f"{code}: finding must have a zh and an en sentence"))
        finding = {"zh": "", "en": ""}
    params = _params(node, code, value.get("params") or {}, problems)
    if len(problems) > before:
        return None
    return RuleSpec(code, on, str(severity), tuple(compares), finding["zh"].strip(), finding["en"].strip(), params)


def _params(node, code: str, params, problems: list[Problem]) -> dict:
    spec = PARAMS[code]
    where = _child(node, "params") or node
    if not isinstance(params, dict):
        problems.append(Problem(_line(where), f"{code} 的 params 应是键值对", f"{code}: params must be a mapping"))
        return {}
    for name, value in params.items():
        line = _line(_child(where, name) or where)
        if name not in spec:
            problems.append(Problem(line, f"{code} 没有阈值 {name}（可用：{', '.join(spec) or '无'}）",
                                    f"{code} has no threshold {name!r} (known: {', '.join(spec) or 'none'})"))
        elif (wrong := spec[name].problem(value)) is not None:
            problems.append(Problem(line, f"{code} 的 {name} {wrong[0]}，实为 {value!r}",
                                    f"{code}: {name} {wrong[1]}, not {value!r}"))
    missing = [name for name in spec if name not in params]
    if missing:
        problems.append(Problem(_line(where), f"{code} 缺少阈值 {', '.join(missing)}",
                                f"{code} misses the threshold(s) {', '.join(missing)}"))
    if code == "split_expense" and not missing and all(spec[k].problem(params[k]) is None for k in ("low", "threshold")) \
            and params["low"] >= params["threshold"]:
        problems.append(Problem(_line(_child(where, "low") or where), "split_expense 的 low 应小于 threshold",
                                "split_expense: low must be below threshold"))
    return dict(params)


def _child(node, key: str):
    """The value node of `key` in a mapping node, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _key(node, key: str):
    return next((k for k, _ in node.value if getattr(k, "value", None) == key), node)


def _line(node) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def shipped_library() -> Library:
    return _parsed(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name)


@functools.lru_cache(maxsize=8)
def _parsed(text: str, source: str) -> Library:
    """A checked file, parsed once per process (pages read the library on every request;
    a Library is frozen, so sharing it is safe)."""
    return parse_library(text, source)


def active_library(conn) -> Library:
    """The library last applied to this database, else the shipped file."""
    row = conn.execute(select(RuleLibrary.text, RuleLibrary.source).order_by(RuleLibrary.id.desc()).limit(1)).first()
    return _parsed(row.text, row.source) if row else shipped_library()


def apply_library(conn, text: str, *, source: str, user: str) -> Library:
    """Check `text` whole and make it the library in use; RuleFileError (and nothing
    stored) when it has any problem."""
    library = parse_library(text, source)
    conn.execute(insert(RuleLibrary.__table__).values(
        text=text, source=source[:120], sha256=library.sha256, applied_by=user[:64],
        applied_at=dt.datetime.now().replace(microsecond=0)))
    return library
