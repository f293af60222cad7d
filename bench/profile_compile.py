"""Where parse + check + compile time goes, stage by stage, for a generated ruleset.

    .venv/bin/python bench/profile_compile.py 5000            # CPU time per stage, median of 5
    .venv/bin/python bench/profile_compile.py 5000 --profile  # and the top of a cProfile
    .venv/bin/python bench/profile_compile.py --file rulesets/shenzhen/department-overall-2024.rules

Times are CPU time (``time.process_time``) with the collector paused, as
``perfrules.loads`` runs; ``run.py`` is the benchmark of record, this is for finding out why.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

import perfrules  # noqa: E402
from perfrules.build import _gc_paused  # noqa: E402
from perfrules.check import check  # noqa: E402
from perfrules.parse import parse  # noqa: E402


def stages(text: str) -> dict[str, float]:
    times = {}
    with _gc_paused():
        start = time.process_time()
        tree = parse(text, name="generated.rules")
        times["parse"] = time.process_time() - start
        model = check(tree)
        times["check"] = time.process_time() - start - times["parse"]
        perfrules.build(model, filename="generated.rules")
        times["compile"] = time.process_time() - start - times["parse"] - times["check"]
    times["total"] = sum(times.values())
    return times


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("leaves", type=int, nargs="?", default=5000)
    options.add_argument("--file", type=Path, help="time this ruleset instead of a generated one")
    options.add_argument("--runs", type=int, default=5)
    options.add_argument("--profile", action="store_true", help="also print the top of a cProfile run")
    options.add_argument("--top", type=int, default=40)
    args = options.parse_args()
    text = args.file.read_text(encoding="utf-8") if args.file else generate.ruleset_text(args.leaves)
    parse(text)  # the parser is loaded or built before anything is timed
    runs = [stages(text) for _ in range(args.runs)]
    print(f"{args.file or f'{args.leaves} leaves'}, median of {args.runs} (CPU ms): "
          + ", ".join(f"{k} {statistics.median(r[k] for r in runs) * 1000:.1f}" for k in runs[0]))
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(stages, text)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
