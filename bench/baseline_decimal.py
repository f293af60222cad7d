"""The 2024 seed rubric written by hand with ``Decimal``: the baseline perfrules must beat.

This is what a careful engineer would write without perfrules: constants hoisted to
module level, each of the 21 indicators as straight-line code, scores rounded half-up to
0.01 with ``quantize``, the total their plain sum, the grade by comparison. It takes the
facts already typed (``Decimal`` numbers, ``bool`` flags, keyed by input name) and does
no validation and no explanation. It raises ``ZeroDivisionError``-style errors where the
rubric leaves a zero denominator unanswered, and scores 项目完成及时性 full when no project
was planned, as the ruleset does.

The semantics follow ``rulesets/shenzhen/department-overall-2024.rules`` exactly;
``bench/run.py`` asserts that both give the same scores on the seed facts and on random
facts before it times anything.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

D = Decimal
_0 = D(0)
_1 = D(1)
_CENT = D("0.01")
_4PLACES = D("0.0001")
_P10 = D("0.1")
_P1 = D("0.01")
_P05 = D("0.05")
_P60 = D("0.6")
_P75 = D("0.75")
_P80 = D("0.8")
_P90 = D("0.9")
_P95 = D("0.95")
_Q = (D("0.25"), D("0.5"), D("0.75"), D(1))
_0_1, _0_4, _0_5, _0_7, _1_5, _2, _3, _4, _5, _6, _7, _8, _25 = (
    D(x) for x in ("0.1", "0.4", "0.5", "0.7", "1.5", "2", "3", "4", "5", "6", "7", "8", "25"))
GRADES = ((D(90), "优"), (D(80), "良"), (D(60), "中"))


def _cap(score: Decimal, maximum: Decimal) -> Decimal:
    if score > maximum:
        return maximum
    if score < 0:
        return _0
    return score


def _quarter(f: dict, n: int) -> Decimal:
    given = f.get(("第一", "第二", "第三", "第四")[n] + "季度分季执行率")
    if given is not None:
        return given
    names = ("第一季度", "第二季度", "第三季度", "第四季度")[n]
    progress = (f[names + "累计支出"] / f[names + "指标金额"]).quantize(_4PLACES, ROUND_HALF_UP)
    return (progress / _Q[n]).quantize(_4PLACES, ROUND_HALF_UP)


def score(f: dict) -> tuple[Decimal, str, dict[str, Decimal]]:
    """The total, the grade and the 21 indicator scores of one department."""
    s = {}
    # 部门决策
    s["预算编制合理性"] = _cap(
        (_1 if f["预算编制符合职责和政策"] else _0) + (_1 if f["预算资金按重点合理分配"] else _0)
        + (_1 if f["专项资金预算编制细化合理"] else _0) + f["分类编制准确调剂适度评分"]
        + (_1 if f["预算分配不固化"] else _0), _5).quantize(_CENT, ROUND_HALF_UP)
    s["预算编制规范性"] = _cap(_5 - f["预算编制不符合项数"], _5).quantize(_CENT, ROUND_HALF_UP)
    s["绩效目标完整性"] = _cap(_3 - f["绩效目标不符合要求项数"], _3).quantize(_CENT, ROUND_HALF_UP)
    s["绩效指标明确性"] = _cap(
        (_2 if f["绩效指标细化为工作任务"] else _0) + (_2 if f["绩效指标含效益指标"] else _0)
        + (_1 if f["绩效指标值清晰可衡量"] else _0) + (_1 if f["绩效指标可量化"] else _0)
        + f["目标值测算有据评分"], _7).quantize(_CENT, ROUND_HALF_UP)
    # 部门管理
    planned, bought = f["采购计划金额"], f["实际采购金额"]
    rate = _0 if bought > planned else _cap(min(bought / planned, _1), _1)
    s["政府采购执行情况"] = _cap(rate + _cap(f["采购政策功能落实评分"], _1), _2).quantize(_CENT, ROUND_HALF_UP)
    if f["存在违规支出"]:
        compliance = _0
    else:
        excess = max(f["调整调剂资金累计额"] / f["部门预算总规模"] - _P10, _0)
        adjusted = _cap(_1 - _0_1 * (excess / _P1).to_integral_value(ROUND_CEILING), _1)
        compliance = f["资金支出规范性评分"] + adjusted + f["会计核算规范性评分"]
    s["财务合规性"] = _cap(compliance, _3).quantize(_CENT, ROUND_HALF_UP)
    if f["涉密免于公开"]:
        published = _3
    else:
        budget = (_1_5 - (_0 if f["部门预算按规定公开"] else _0_5)) if f["部门预算已公开"] else _0
        accounts = (_1_5 - (_0 if f["部门决算按规定公开"] else _0_5)) if f["部门决算已公开"] else _0
        published = budget + accounts
    s["预决算信息公开"] = _cap(published, _3).quantize(_CENT, ROUND_HALF_UP)
    s["项目实施程序"] = ((_1 if f["项目设立调整履行报批"] else _0)
                       + (_1 if f["项目招投标验收合规"] else _0)).quantize(_CENT, ROUND_HALF_UP)
    checked = _0 if (not f["有检查监督证明材料"] or f["专项资金绩效评价为差"]) else (
        _1 if f["主管资金检查监控有效"] else _0)
    s["项目监管"] = _cap(f["监控机制有效评分"] + checked, _2).quantize(_CENT, ROUND_HALF_UP)
    s["资产管理安全性"] = ((_1 if f["资产配置合理保管完整"] else _0)
                        + (_1 if f["资产处置规范收入上缴"] else _0)).quantize(_CENT, ROUND_HALF_UP)
    used = f["在用固定资产原值"] / f["固定资产原值总额"]
    s["固定资产利用率"] = (_1 if used >= _P90 else _0_7 if used >= _P75 else _0_4 if used >= _P60
                      else _0).quantize(_CENT, ROUND_HALF_UP)
    staff, posts, extra = f["在编人数"], f["核定编制数"], f["编外人员数"]
    s["财政供养人员控制率"] = (_1 if staff / posts <= _1 else _0).quantize(_CENT, ROUND_HALF_UP)
    extra_rate = extra / (staff + extra)
    s["编外人员控制率"] = (_1 if extra_rate < _P05 else _0_5 if extra_rate <= _P10
                      else _0).quantize(_CENT, ROUND_HALF_UP)
    s["管理制度健全性"] = ((_0_5 if f["已制定财务内控制度"] else _0) + (_1_5 if f["财务内控制度有效执行"] else _0)
                       + (_1 if f["已制定预算绩效管理制度"] else _0)).quantize(_CENT, ROUND_HALF_UP)
    # 部门绩效
    three = f["三公经费实际支出数"] / f["三公经费预算安排数"]
    daily = f["日常公用经费决算数"] / f["日常公用经费调整预算数"]
    s["公用经费控制率"] = ((_3 if three < _P90 else _2 if three <= _1 else _0)
                       + (_3 if daily < _P90 else _2 if daily <= _1 else _0)).quantize(_CENT, ROUND_HALF_UP)
    q = [_quarter(f, n) for n in range(4)]
    mean = (q[0] + q[1] + q[2] + q[3]) / 4
    s["预算执行率"] = _cap(min(min(q[0], _1) + min(q[1], _1) + min(q[2], _1) + min(q[3], _1) + mean * _2, _6),
                      _6).quantize(_CENT, ROUND_HALF_UP)
    s["重点工作完成情况"] = _cap(_8 - _4 * f["未完成重点工作数"], _8).quantize(_CENT, ROUND_HALF_UP)
    projects = f["计划完成项目总数"]
    on_time = _6 if projects == 0 else min(f["已完成项目数"] / projects, _1) * _6
    s["项目完成及时性"] = _cap(on_time, _6).quantize(_CENT, ROUND_HALF_UP)
    s["社会效益、经济效益、生态效益等"] = _cap(f["效果性评分"], _25).quantize(_CENT, ROUND_HALF_UP)
    cases = f["群众信访件数"]
    s["群众信访办理情况"] = ((_1 if f["建立群众意见反映渠道"] else _0) + (_1 if f["信访办理回复件数"] >= cases else _0)
                        + (_1 if f["信访及时办理回复件数"] >= cases else _0)).quantize(_CENT, ROUND_HALF_UP)
    satisfied = f["满意度"]
    s["公众或服务对象满意度"] = (_6 if satisfied >= _P95 else _4 if satisfied >= _P90 else _2 if satisfied >= _P80
                          else _1).quantize(_CENT, ROUND_HALF_UP)
    total = sum(s.values(), _0)
    grade = next((label for low, label in GRADES if total >= low), "差")
    return total, grade, s
