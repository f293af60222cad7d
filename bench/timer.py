"""Timing that survives a shared, noisy machine: interleaved bursts, medians, ratios per round.

Each case runs in short bursts (a few milliseconds, the loop count calibrated once), and
the cases take turns: one burst each per round, in a rotating order. A neighbour's job
that slows the machine for a second slows every case in that round alike, so the ratio
of a case to its baseline *within* a round stays honest; the reported ratio is the
median over rounds, the reported time the median burst. ``timeit``'s advice applies:
warm up first, use a nanosecond clock, keep the loop overhead out (it is measured with
an empty callable and subtracted).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

import attrs


# CPU time of this thread: on a shared machine a neighbour's job takes the CPU away from
# us now and then, and wall-clock time would charge that wait to whichever case was
# running. The CPU clock has nanosecond resolution on Linux.
_clock = time.thread_time_ns


@attrs.frozen
class Timing:
    name: str
    ns: float  # median time per call, loop overhead removed
    ratio: float | None  # median over rounds of ns / baseline's ns in the same round
    spread: float  # (p75 - p25) / median of the per-call times: how noisy it was


def _nothing():
    return None


def _loops(fn: Callable, burst_ns: float) -> int:
    loops = 1
    while True:
        start = _clock()
        for _ in range(loops):
            fn()
        elapsed = _clock() - start
        if elapsed >= burst_ns / 4 or loops >= 1 << 24:
            return max(1, int(loops * burst_ns / max(elapsed, 1)))
        loops *= 4


def _burst(fn: Callable, loops: int) -> float:
    start = _clock()
    for _ in range(loops):
        fn()
    return (_clock() - start) / loops


def compare(cases: dict[str, Callable], *, baseline: str, rounds: int = 31, burst_ms: float = 4) -> list[Timing]:
    """Time every case against ``baseline`` (one of the names), interleaved.

    Args:
        cases: name → a callable with no arguments doing one evaluation.
        baseline: the case the ratios are against.
        rounds: bursts per case; the median is taken over them.
        burst_ms: the length of one burst.
    """
    everything = {"(loop)": _nothing, **cases}
    for fn in everything.values():  # warm up caches, lazy compilation and the specialising interpreter
        for _ in range(200):
            fn()
    loops = {name: _loops(fn, burst_ms * 1e6) for name, fn in everything.items()}
    samples: dict[str, list[float]] = {name: [] for name in everything}
    names = list(everything)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # a collection in one case's burst would be charged to that case alone
    try:
        for r in range(rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                samples[name].append(_burst(everything[name], loops[name]))
    finally:
        if was_enabled:
            gc.enable()
    overhead = statistics.median(samples.pop("(loop)"))
    per_call = {name: [max(t - overhead, 0.0) for t in times] for name, times in samples.items()}
    base = per_call[baseline]
    return [_timing(name, times, base, name == baseline) for name, times in per_call.items()]


def _timing(name: str, times: list[float], base: list[float], is_baseline: bool) -> Timing:
    median = statistics.median(times)
    q1, _, q3 = statistics.quantiles(times, n=4)
    ratio = None if is_baseline else statistics.median(t / b for t, b in zip(times, base) if b > 0)
    return Timing(name, median, ratio, (q3 - q1) / median if median else 0.0)


def once(fn: Callable, *, repeat: int = 5) -> float:
    """Seconds for one call of something slow (a compile), the median of ``repeat``."""
    times = []
    for _ in range(repeat):
        start = _clock()
        fn()
        times.append((_clock() - start) / 1e9)
    return statistics.median(times)
