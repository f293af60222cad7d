"""Random facts for the 2024 seed ruleset, typed as ``Ruleset.read_facts`` returns them.

Most rows are ordinary departments; a share sits on the edges where binary floats and
exact decimals part ways: rates exactly on a band bound (90%, 75%, 5%), ratios whose
quotient is 0.9 or 1 exactly, judged scores such as 0.575, quarterly rates either given
(as the reports print them) or left to their defaults. Every row is valid, with non-zero
denominators, so every row scores.

    rows = facts.rows(1000, seed=1)    # a list of dicts: name → Decimal or bool
"""

from __future__ import annotations

import random
from decimal import Decimal

D = Decimal
_FLAGS = (
    "预算编制符合职责和政策", "预算资金按重点合理分配", "专项资金预算编制细化合理", "预算分配不固化",
    "绩效指标细化为工作任务", "绩效指标含效益指标", "绩效指标值清晰可衡量", "绩效指标可量化",
    "部门预算已公开", "部门预算按规定公开", "部门决算已公开", "部门决算按规定公开",
    "项目设立调整履行报批", "项目招投标验收合规", "主管资金检查监控有效", "有检查监督证明材料",
    "资产配置合理保管完整", "资产处置规范收入上缴", "已制定财务内控制度", "财务内控制度有效执行",
    "已制定预算绩效管理制度", "建立群众意见反映渠道",
)
_RARE_FLAGS = ("存在违规支出", "涉密免于公开", "专项资金绩效评价为差")
_JUDGED_1 = ("分类编制准确调剂适度评分", "目标值测算有据评分", "采购政策功能落实评分", "资金支出规范性评分",
             "会计核算规范性评分", "监控机制有效评分")
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
_PACE = (D("0.25"), D("0.5"), D("0.75"), D(1))


def rows(count: int, *, seed: int = 0, edges: float = 0.3) -> list[dict]:
    """``count`` rows; about ``edges`` of them are built around band edges."""
    rng = random.Random(seed)
    return [row(rng, on_edge=rng.random() < edges) for _ in range(count)]


def row(rng: random.Random, *, on_edge: bool) -> dict:
    f: dict = {name: rng.random() < 0.9 for name in _FLAGS}
    f |= {name: rng.random() < 0.03 for name in _RARE_FLAGS}
    f |= {name: _judged(rng, on_edge) for name in _JUDGED_1}
    f["效果性评分"] = D(rng.randint(1500, 2500)) / 100
    f["预算编制不符合项数"] = D(rng.choice([0, 0, 0, 1, 2]))
    f["绩效目标不符合要求项数"] = D(rng.choice([0, 0, 1]))
    f["未完成重点工作数"] = D(rng.choice([0, 0, 0, 1, 3]))
    f["采购计划金额"], f["实际采购金额"] = _pair(rng, on_edge, D(1), spread=D("0.3"))
    f["部门预算总规模"], f["调整调剂资金累计额"] = _pair(rng, on_edge, D("0.1"), spread=D("0.1"))
    f["固定资产原值总额"], f["在用固定资产原值"] = _pair(rng, on_edge, rng.choice([D("0.9"), D("0.75"), D("0.6")]),
                                                   spread=D("0.2"), top=D(1))
    f["三公经费预算安排数"], f["三公经费实际支出数"] = _pair(rng, on_edge, rng.choice([D("0.9"), D(1)]), spread=D("0.2"))
    f["日常公用经费调整预算数"], f["日常公用经费决算数"] = _pair(rng, on_edge, rng.choice([D("0.9"), D(1)]),
                                                           spread=D("0.2"))
    f |= _staff(rng, on_edge)
    f |= _quarterly(rng, on_edge)
    planned = rng.randint(0, 60)
    f["计划完成项目总数"], f["已完成项目数"] = D(planned), D(planned - min(planned, rng.choice([0, 0, 1, 2])))
    cases = rng.randint(0, 100)
    f["群众信访件数"] = D(cases)
    f["信访办理回复件数"] = D(cases - rng.choice([0, 0, 0, min(cases, 1)]))
    f["信访及时办理回复件数"] = D(cases - rng.choice([0, 0, min(cases, 2)]))
    f["满意度"] = rng.choice([D("0.95"), D("0.9"), D("0.8"), D("0.8999")]) if on_edge else D(rng.randint(7000, 10000)) / 10000
    return f


def _judged(rng: random.Random, on_edge: bool) -> Decimal:
    if on_edge:
        return rng.choice([D("0.575"), D("0.125"), D("0.005"), D("0.995"), D("0.345")])
    return D(rng.randint(6, 10)) / 10


def _pair(rng: random.Random, on_edge: bool, ratio: Decimal, *, spread: Decimal, top: Decimal | None = None):
    """A (denominator, numerator) pair of amounts: on an edge their quotient is ``ratio``
    exactly, else near it."""
    base = D(rng.randint(10000, 50000000)) / 100
    if on_edge:
        return base, base * ratio  # exact: the quotient is the bound itself
    factor = ratio + spread * D(rng.randint(-1000, 1000)) / 1000
    if top is not None:
        factor = min(factor, top)
    return base, (base * max(factor, D(0))).quantize(D("0.01"))


def _staff(rng: random.Random, on_edge: bool) -> dict:
    posts = rng.randint(20, 300)
    staff = posts if on_edge else rng.randint(int(posts * 0.8), posts + 5)
    extra = (staff // 19 if on_edge else rng.randint(0, staff // 5))  # 5% of staff + extra, about
    return {"核定编制数": D(posts), "在编人数": D(staff), "编外人员数": D(extra)}


def _quarterly(rng: random.Random, on_edge: bool) -> dict:
    f = {}
    for name, pace in zip(_QUARTERS, _PACE):
        if rng.random() < 0.5:  # the report prints the rate
            f[name + "分季执行率"] = D(1) if on_edge else D(rng.randint(7000, 12500)) / 10000
        else:  # the amounts, and the rate by its default
            budget = D(rng.randint(10000000, 60000000)) / 100
            spent = (budget * pace).quantize(D("0.01")) if on_edge else \
                (budget * pace * D(rng.randint(700, 1250)) / 1000).quantize(D("0.01"))
            f[name + "指标金额"], f[name + "累计支出"] = budget, spent
    return f
