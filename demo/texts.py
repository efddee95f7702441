"""Free text of complaints (plain generated Chinese) and the departments handling them.

Content is built as prefix + village name + suffix, vectorised. Four rows (the first two,
long closed, and the last two, still open) get hostile content on purpose — an HTML
script tag and a leading '=' (spreadsheet formula) — so the UI's escaping and the
exports' neutralising can be tested on real data.
"""
from __future__ import annotations

import numpy as np

CATEGORIES = ["village_affairs_disclosure", "village_finance", "benefit_funds",
              "low_income_assessment", "land_acquisition", "project_quality",
              "cadre_conduct", "environment", "other"]
CATEGORY_SHARES = [0.12, 0.14, 0.15, 0.10, 0.08, 0.08, 0.09, 0.14, 0.10]
DEPARTMENT = {
    "village_affairs_disclosure": "township_gov", "village_finance": "agriculture_rural",
    "benefit_funds": "finance", "low_income_assessment": "civil_affairs",
    "land_acquisition": "natural_resources", "project_quality": "housing",
    "cadre_conduct": "discipline", "environment": "ecology_environment", "other": "township_gov",
}
WORKING_DAYS_DUE = {"land_acquisition": 15, "project_quality": 15}
CHANNELS = ["hotline", "app", "wechat", "photo", "push_to_talk", "letter", "visit"]
CHANNEL_SHARES = [0.34, 0.14, 0.22, 0.08, 0.10, 0.05, 0.07]
SCRIPT_CONTENT = "村务公开栏被人贴了奇怪的东西：<script>alert(1)</script>，请核实处理。"
FORMULA_CONTENT = "=SUM(A1:A9) 反映村里账目数字对不上，请上级核查。"

_TEMPLATES = {
    "village_affairs_disclosure": ["反映{v}村务公开栏已经三个月没有更新。", "{v}的财务公开只贴了总数，没有明细，群众看不懂。"],
    "village_finance": ["反映{v}集体山林承包费去向不明，要求公开账目。", "{v}修路集资款使用情况不清楚，请核查。"],
    "benefit_funds": ["本人在{v}，今年的耕地地力保护补贴至今未到账。", "{v}有村民反映高龄津贴发放不及时。"],
    "low_income_assessment": ["{v}低保评定不公开不公平，有车有房的人也吃低保。", "反映{v}评低保优亲厚友。"],
    "land_acquisition": ["{v}征地补偿款标准不一致，部分农户未足额领取。", "反映{v}土地流转费用拖欠。"],
    "project_quality": ["{v}新修的通组公路不到半年就开裂。", "{v}饮水工程管道质量差，经常停水。"],
    "cadre_conduct": ["反映{v}村干部办事拖拉、态度恶劣。", "{v}村干部在村级工程中优亲厚友。"],
    "environment": ["{v}附近养殖场污水直排，气味很大。", "{v}垃圾长期无人清运。"],
    "other": ["{v}路灯坏了很久没人修。", "咨询{v}宅基地审批需要哪些材料。"],
}


def contents(rng: np.random.Generator, category: np.ndarray, village_name: np.ndarray) -> np.ndarray:
    """Generated complaint text per row; the first two rows (long closed) and the last two
    (the newest, still open) get the hostile test contents."""
    n = len(category)
    out = np.empty(n, dtype=object)
    for cat, templates in _TEMPLATES.items():
        sel = np.flatnonzero(category == cat)
        pick = rng.integers(len(templates), size=len(sel))
        prefix = np.array([t.split("{v}")[0] for t in templates], dtype=object)[pick]
        suffix = np.array([t.split("{v}")[1] for t in templates], dtype=object)[pick]
        out[sel] = prefix + village_name[sel] + suffix
    if n >= 4:
        out[0], out[1] = out[-2], out[-1] = SCRIPT_CONTENT, FORMULA_CONTENT
    return out
