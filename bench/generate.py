"""Rulesets of any size, shaped like the seed rubric, for the compile-time benchmark.

``ruleset_text(n)`` writes ``n`` leaf indicators in groups of ten, cycling through the
forms the 2024 seed uses: checklists of flags and judged items, per-item deductions,
tiers on a let that divides two amounts, a capped formula with a zero-denominator answer,
two parts with a veto, a per-unit deduction and an exemption. Every indicator reads its
own inputs, so inputs, lets and sites grow with ``n`` as they would in a real rubric.

    python bench/generate.py 1000 > /tmp/big.rules
"""

from __future__ import annotations

import sys
from decimal import Decimal

_FORMS = (
    # (max, inputs, lets, body); {k} is the indicator's number
    ("5", ["f{k}a: flag", "f{k}b: flag", "j{k}: judged 0..1"], [],
     'checklist {{ 2 "criterion a": f{k}a; 2 "criterion b": f{k}b; 1 "judged": j{k} }}'),
    ("5", ["n{k}: count"], [], "deduct 1 per n{k}"),
    ("1", ["a{k}: amount 万元", "b{k}: amount 万元"], ["r{k} = a{k} / b{k}"],
     "tiers r{k}: ≥ 90% → 1; 75%..<90% → 0.7; 60%..<75% → 0.4; < 60% → 0"),
    ("6", ["d{k}: count", "p{k}: count"], [],
     "score min(d{k} / p{k}, 100%) × 6; on zero denominator → full"),
    ("2", ["x{k}: amount 万元", "y{k}: amount 万元", "s{k}: judged 0..1"], [],
     "part rate 1 {{ veto when x{k} > y{k}; score min(x{k} / y{k}, 100%) × 1 }} "
     "part policy 1 {{ score s{k} }}"),
    ("1", ["u{k}: amount 万元", "v{k}: amount 万元"], ["q{k} = u{k} / v{k}"],
     "deduct 0.1 per started 1% of q{k} above 10%"),
    ("3", ["e{k}: flag", "g{k}: flag", "h{k}: flag"], [],
     'exempt when e{k} "exempt"; part first 1.5 {{ veto when not g{k}; deduct 0.5 when not h{k} }} '
     "part second 1.5 {{ deduct 0.5 when not h{k} }}"),
    ("6", ["m{k}: percent 0%..100%"], [], "tiers m{k}: ≥ 95% → 6; 90%..<95% → 4; 80%..<90% → 2; < 80% → 1"),
)


def ruleset_text(n: int) -> str:
    """A ruleset with ``n`` leaf indicators that checks without errors."""
    inputs, lets, groups, total = [], [], [], Decimal(0)
    for start in range(0, n, 10):
        indicators, subtotal = [], Decimal(0)
        for k in range(start, min(start + 10, n)):
            maximum, form_inputs, form_lets, body = _FORMS[k % len(_FORMS)]
            inputs += [f"input {i.format(k=k)}" for i in form_inputs]
            lets += [f"let {let.format(k=k)}" for let in form_lets]
            indicators.append(f"  indicator 指标{k} {maximum} {{ {body.format(k=k)} }}")
            subtotal += Decimal(maximum)
        groups.append(f"group 组{start // 10} {subtotal} {{\n" + "\n".join(indicators) + "\n}")
        total += subtotal
    return "\n".join([f'ruleset "generated {n}" version "1"', f"total {total}", "rounding half_up 2",
                      *inputs, *lets, *groups,
                      f"grade {{ ≥ {total * Decimal('0.9')} → 优; < {total * Decimal('0.9')} → 其他 }}", ""])


if __name__ == "__main__":
    sys.stdout.write(ruleset_text(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
