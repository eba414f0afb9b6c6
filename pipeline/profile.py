"""Where a run's time goes: seconds per stage and step, summed over documents and processes.

Each process adds up its own steps (`with profile.step("restore/search"):`) and counts
(`profile.count("restore/words", n)`); a batch worker hands what it added up back with
each result (`take`), and the coordinator sums them for the run (`Profile.add`).
CPU seconds are those of the thread that did the step (the work is one thread per
process) and of the programs it ran (pdftotext, the tesseract program), so they hold on a
machine busy with other work; wall seconds do not.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# step -> [cpu seconds, wall seconds, times]; this process's, since the last `take`
_STEPS: dict[str, list[float]] = {}
_COUNTS: dict[str, int] = {}


@contextmanager
def step(name: str) -> Iterator[None]:
    cpu, wall = time.thread_time() + _children(), time.perf_counter()
    try:
        yield
    finally:
        spent = _STEPS.setdefault(name, [0.0, 0.0, 0])
        spent[0] += time.thread_time() + _children() - cpu
        spent[1] += time.perf_counter() - wall
        spent[2] += 1


def _children() -> float:
    """CPU seconds of the programs this process ran and waited for (pdftotext, tesseract)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def count(name: str, n: int) -> None:
    _COUNTS[name] = _COUNTS.get(name, 0) + n


@dataclass
class Profile:
    steps: dict[str, list[float]] = field(default_factory=dict)  # as _STEPS
    counts: dict[str, int] = field(default_factory=dict)
    memory: dict[int, int] = field(default_factory=dict)  # process id -> peak resident KiB
    first_document: float | None = None  # wall seconds from the start to the first one done

    def add(self, other: Profile) -> None:
        for name, (cpu, wall, times) in other.steps.items():
            spent = self.steps.setdefault(name, [0.0, 0.0, 0])
            spent[0] += cpu
            spent[1] += wall
            spent[2] += times
        for name, n in other.counts.items():
            self.counts[name] = self.counts.get(name, 0) + n
        for pid, kib in other.memory.items():
            self.memory[pid] = max(self.memory.get(pid, 0), kib)

    def cpu(self, stage: str) -> float:
        """CPU seconds of a stage: the sum of its steps."""
        return sum(v[0] for k, v in self.steps.items() if k.split("/")[0] == stage)

    def lines(self) -> list[str]:
        """The profile as a table: each stage (the sum of its steps), its steps below it."""
        out = [f"{'stage / step':<22}{'CPU s':>10}{'wall s':>10}{'times':>8}"]
        stages = sorted({k.split("/")[0] for k in self.steps}, key=_order)
        for stage in stages:
            steps = [k for k in self.steps if k.split("/")[0] == stage]  # in the order run
            cpu, wall = (sum(self.steps[k][i] for k in steps) for i in (0, 1))
            out.append(f"{stage:<22}{cpu:>10.3f}{wall:>10.3f}")
            for name in steps:
                cpu, wall, times = self.steps[name]
                out.append(f"  {name.split('/', 1)[-1]:<20}{cpu:>10.3f}{wall:>10.3f}"
                           f"{times:>8.0f}")
        words, restore = self.counts.get("restore/words", 0), self.cpu("restore")
        if words and restore:
            out.append(f"restore: {words} words, {words / restore:,.0f} words per CPU second")
        if self.first_document is not None:
            out.append(f"first document done after {self.first_document:.2f} s")
        if self.memory:
            out.append(f"peak memory per worker: {max(self.memory.values()) / 1024:.0f} MiB "
                       f"(largest of {len(self.memory)} process(es))")
        return out


STAGES = ("ocr", "restore", "segment", "export", "write", "collect")


def _order(stage: str) -> tuple:
    return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)


def take() -> Profile:
    """What this process added up since the last call, with its peak memory so far."""
    taken = Profile(dict(_STEPS), dict(_COUNTS),
                    {os.getpid(): resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    _STEPS.clear()
    _COUNTS.clear()
    return taken
