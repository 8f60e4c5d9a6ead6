"""Figures of the benchmark suite: samples, medians and spread, ratios to a baseline, targets.

Every figure is measured against a baseline run by the same script in the same run,
interleaved run by run (baseline, then reader, then baseline...), so that a machine
busy with other work slows both: the ratio of each run's pair is what is compared with the
target, and the table shows the median of those ratios with their range.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Row", "Sample", "format_table"]

Goal = Literal["ratio_max", "ratio_min", "value_max", "worst_max"]
"""How a target reads: ratio at most, ratio at least, median at most, every value at most."""


@dataclass
class Sample:
    """Repeated measurements of one quantity."""

    values: list[float]
    unit: str

    @property
    def median(self) -> float:
        """The median (the figure reported)."""
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        """The smallest value."""
        return min(self.values)

    @property
    def high(self) -> float:
        """The largest value."""
        return max(self.values)

    def show(self) -> str:
        """``median [min–max] unit`` (just the value when there is one run)."""
        if len(self.values) == 1:
            return f"{_number(self.median)} {self.unit}"
        return f"{_number(self.median)} [{_number(self.low)}–{_number(self.high)}] {self.unit}"

    def to_json(self) -> dict[str, Any]:
        """The values and their summary."""
        return {
            "unit": self.unit,
            "values": [round(v, 3) for v in self.values],
            "median": round(self.median, 3),
            "min": round(self.low, 3),
            "max": round(self.high, 3),
        }


@dataclass
class Row:
    """One line of the table: a measured sample, its baseline, and the target."""

    figure: str
    """Which of the five figures (e.g. ``1 startup``)."""
    case: str
    """What exactly was measured (e.g. ``N=2,000, warm``)."""
    measured: Sample
    baseline: Sample | None = None
    baseline_name: str = ""
    """What the baseline is (e.g. ``bare Textual OptionList``)."""
    goal: Goal | None = None
    limit: float | None = None
    """The target's number: a ratio, or a value in the measured unit."""
    n: int | None = None
    """Articles in the library (or annotations stored), when it applies."""
    notes: list[str] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """Each run's measured/baseline (runs are paired when both have the same count)."""
        if self.baseline is None:
            return []
        if len(self.baseline.values) == len(self.measured.values):
            return [m / b for m, b in zip(self.measured.values, self.baseline.values, strict=True)]
        return [self.measured.median / self.baseline.median]

    @property
    def ratio(self) -> float | None:
        """The median paired ratio to the baseline."""
        ratios = self.ratios
        return statistics.median(ratios) if ratios else None

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None when the row has no target)."""
        if self.goal is None or self.limit is None:
            return None
        if self.goal == "value_max":
            return self.measured.median <= self.limit
        if self.goal == "worst_max":
            return self.measured.high <= self.limit
        ratio = self.ratio
        if ratio is None:
            return None
        return ratio <= self.limit if self.goal == "ratio_max" else ratio >= self.limit

    @property
    def target(self) -> str:
        """The target in words."""
        if self.goal is None or self.limit is None:
            return ""
        if self.goal == "value_max":
            return f"median ≤ {_number(self.limit)} {self.measured.unit}"
        if self.goal == "worst_max":
            return f"all ≤ {_number(self.limit)} {self.measured.unit}"
        sign = "≤" if self.goal == "ratio_max" else "≥"
        return f"{sign} {self.limit:g}×"

    def show_ratio(self) -> str:
        """``1.23× [1.1–1.4]``, or empty."""
        ratios = self.ratios
        if not ratios:
            return ""
        if len(ratios) == 1:
            return f"{ratios[0]:.2f}×"
        return f"{statistics.median(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}]"

    def to_json(self) -> dict[str, Any]:
        """Everything in the row, for the results file."""
        return {
            "figure": self.figure,
            "case": self.case,
            "n": self.n,
            "measured": self.measured.to_json(),
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "baseline_name": self.baseline_name,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "ratios": [round(r, 3) for r in self.ratios],
            "target": self.target,
            "met": self.met,
            "notes": self.notes,
        }


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table (also valid Markdown)."""
    header = ["figure", "case", "reader", "baseline", "ratio", "target", "met"]
    lines = [header]
    for row in rows:
        met = {True: "yes", False: "NO", None: ""}[row.met]
        baseline = f"{row.baseline.show()} ({row.baseline_name})" if row.baseline else ""
        lines.append(
            [row.figure, row.case, row.measured.show(), baseline, row.show_ratio(), row.target, met]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(lines[0]), rule, *(render(line) for line in lines[1:])])
