"""The 2024 seed rubric by hand with binary floats: for reference, not for agreement.

The same code as ``baseline_decimal`` with ``float`` arithmetic and Python's ``round``,
which is what a JSON-logic or float-based engine computes. It is faster, and it gives a
different rounded score on some rows: ``bench/run.py`` counts how many.
"""

from __future__ import annotations

import math

GRADES = ((90.0, "优"), (80.0, "良"), (60.0, "中"))


def _cap(score: float, maximum: float) -> float:
    return maximum if score > maximum else 0.0 if score < 0 else score


def _quarter(f: dict, n: int) -> float:
    given = f.get(("第一", "第二", "第三", "第四")[n] + "季度分季执行率")
    if given is not None:
        return given
    names = ("第一季度", "第二季度", "第三季度", "第四季度")[n]
    progress = round(f[names + "累计支出"] / f[names + "指标金额"], 4)
    return round(progress / (0.25, 0.5, 0.75, 1.0)[n], 4)


def score(f: dict) -> tuple[float, str, dict[str, float]]:
    """The total, the grade and the 21 indicator scores, in floats."""
    s = {}
    s["预算编制合理性"] = round(_cap(f["预算编制符合职责和政策"] + f["预算资金按重点合理分配"] + f["专项资金预算编制细化合理"]
                              + f["分类编制准确调剂适度评分"] + f["预算分配不固化"], 5.0), 2)
    s["预算编制规范性"] = round(_cap(5.0 - f["预算编制不符合项数"], 5.0), 2)
    s["绩效目标完整性"] = round(_cap(3.0 - f["绩效目标不符合要求项数"], 3.0), 2)
    s["绩效指标明确性"] = round(_cap(2.0 * f["绩效指标细化为工作任务"] + 2.0 * f["绩效指标含效益指标"] + f["绩效指标值清晰可衡量"]
                              + f["绩效指标可量化"] + f["目标值测算有据评分"], 7.0), 2)
    planned, bought = f["采购计划金额"], f["实际采购金额"]
    rate = 0.0 if bought > planned else min(bought / planned, 1.0)
    s["政府采购执行情况"] = round(_cap(rate + f["采购政策功能落实评分"], 2.0), 2)
    if f["存在违规支出"]:
        compliance = 0.0
    else:
        excess = max(f["调整调剂资金累计额"] / f["部门预算总规模"] - 0.1, 0.0)
        adjusted = _cap(1.0 - 0.1 * math.ceil(excess / 0.01), 1.0)
        compliance = f["资金支出规范性评分"] + adjusted + f["会计核算规范性评分"]
    s["财务合规性"] = round(_cap(compliance, 3.0), 2)
    if f["涉密免于公开"]:
        published = 3.0
    else:
        budget = (1.5 - (0.0 if f["部门预算按规定公开"] else 0.5)) if f["部门预算已公开"] else 0.0
        accounts = (1.5 - (0.0 if f["部门决算按规定公开"] else 0.5)) if f["部门决算已公开"] else 0.0
        published = budget + accounts
    s["预决算信息公开"] = round(_cap(published, 3.0), 2)
    s["项目实施程序"] = round(float(f["项目设立调整履行报批"] + f["项目招投标验收合规"]), 2)
    checked = 0.0 if (not f["有检查监督证明材料"] or f["专项资金绩效评价为差"]) else float(f["主管资金检查监控有效"])
    s["项目监管"] = round(_cap(f["监控机制有效评分"] + checked, 2.0), 2)
    s["资产管理安全性"] = round(float(f["资产配置合理保管完整"] + f["资产处置规范收入上缴"]), 2)
    used = f["在用固定资产原值"] / f["固定资产原值总额"]
    s["固定资产利用率"] = 1.0 if used >= 0.9 else 0.7 if used >= 0.75 else 0.4 if used >= 0.6 else 0.0
    staff, posts, extra = f["在编人数"], f["核定编制数"], f["编外人员数"]
    s["财政供养人员控制率"] = 1.0 if staff / posts <= 1 else 0.0
    extra_rate = extra / (staff + extra)
    s["编外人员控制率"] = 1.0 if extra_rate < 0.05 else 0.5 if extra_rate <= 0.1 else 0.0
    s["管理制度健全性"] = round(0.5 * f["已制定财务内控制度"] + 1.5 * f["财务内控制度有效执行"] + f["已制定预算绩效管理制度"], 2)
    three = f["三公经费实际支出数"] / f["三公经费预算安排数"]
    daily = f["日常公用经费决算数"] / f["日常公用经费调整预算数"]
    s["公用经费控制率"] = ((3.0 if three < 0.9 else 2.0 if three <= 1 else 0.0)
                       + (3.0 if daily < 0.9 else 2.0 if daily <= 1 else 0.0))
    q = [_quarter(f, n) for n in range(4)]
    s["预算执行率"] = round(_cap(min(min(q[0], 1.0) + min(q[1], 1.0) + min(q[2], 1.0) + min(q[3], 1.0)
                                  + sum(q) / 4 * 2.0, 6.0), 6.0), 2)
    s["重点工作完成情况"] = round(_cap(8.0 - 4.0 * f["未完成重点工作数"], 8.0), 2)
    projects = f["计划完成项目总数"]
    s["项目完成及时性"] = round(_cap(6.0 if projects == 0 else min(f["已完成项目数"] / projects, 1.0) * 6.0, 6.0), 2)
    s["社会效益、经济效益、生态效益等"] = round(_cap(f["效果性评分"], 25.0), 2)
    cases = f["群众信访件数"]
    s["群众信访办理情况"] = float(f["建立群众意见反映渠道"] + (f["信访办理回复件数"] >= cases)
                           + (f["信访及时办理回复件数"] >= cases))
    satisfied = f["满意度"]
    s["公众或服务对象满意度"] = 6.0 if satisfied >= 0.95 else 4.0 if satisfied >= 0.9 else 2.0 if satisfied >= 0.8 else 1.0
    total = round(sum(s.values()), 2)
    grade = next((label for low, label in GRADES if total >= low), "差")
    return total, grade, s


def floats(row: dict) -> dict:
    """A row of typed facts with every Decimal as the nearest float."""
    return {k: (v if isinstance(v, bool) else float(v)) for k, v in row.items()}
