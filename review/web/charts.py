"""Stacked weekly bar charts, laid out here and drawn as inline SVG by a template.

No JavaScript and no chart library: the geometry is computed on the server and the template
only writes `<rect>` and `<text>` elements, every label escaped like any other text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Dict, List, Tuple

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    tooltip: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendItem:
    colour: str
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    left: float
    top: float
    plot_width: float
    plot_height: float
    bars: List[Bar] = field(default_factory=list)
    x_ticks: List[Tick] = field(default_factory=list)
    y_ticks: List[Tick] = field(default_factory=list)
    legend: List[LegendItem] = field(default_factory=list)
    # The numbers behind the bars, week by week (one count per legend item), for a data table.
    table: List[Tuple[str, List[int]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.bars

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height


def nice_step(maximum: int, ticks: int = 5) -> int:
    """A 1, 2 or 5 times a power of ten step that gives at most `ticks` intervals."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return max(1, int(multiple * magnitude))
    return int(10 * magnitude)


def stacked_weekly(
    title: str,
    weeks: List[date],
    series: Dict[str, List[int]],
    label: Callable[[str], str] = str,
    width: int = 760,
    height: int = 300,
    max_ticks: int = 12,
) -> Chart:
    """One stacked bar per week, one colour per series, oldest week on the left.

    `width` and `height` are the drawing's own units; the page scales it to its box, so a
    narrow layout (a phone) gets its own, narrower drawing with fewer week labels to stay legible.
    """
    left, top, right, bottom = 44.0, 12.0, 12.0, 40.0
    plot_width, plot_height = width - left - right, height - top - bottom
    totals = [sum(counts[position] for counts in series.values()) for position in range(len(weeks))]
    step = nice_step(max(totals, default=0))
    ceiling = max(step, math.ceil(max(totals, default=0) / step) * step)
    slot = plot_width / max(len(weeks), 1)
    bar_width = slot * 0.7
    colours = {name: PALETTE[position % len(PALETTE)] for position, name in enumerate(series)}
    bars: List[Bar] = []
    for position, week in enumerate(weeks):
        x = left + position * slot + (slot - bar_width) / 2
        base = top + plot_height
        for name, counts in series.items():
            count = counts[position]
            if count <= 0:
                continue
            bar_height = plot_height * count / ceiling
            base -= bar_height
            tooltip = f"week of {week.isoformat()}: {label(name)} {count}"
            bars.append(
                Bar(round(x, 1), round(base, 1), round(bar_width, 1), round(bar_height, 1), colours[name], tooltip)
            )
    every = max(1, math.ceil(len(weeks) / max_ticks))
    x_ticks = [
        Tick(round(left + position * slot + slot / 2, 1), week.strftime("%d %b"))
        for position, week in enumerate(weeks)
        if position % every == 0
    ]
    y_ticks = [
        Tick(round(top + plot_height - plot_height * value / ceiling, 1), str(value))
        for value in range(0, ceiling + 1, step)
    ]
    legend = [LegendItem(colours[name], label(name)) for name in series]
    table = [
        (week.strftime("%d %b %Y"), [series[name][position] for name in series]) for position, week in enumerate(weeks)
    ]
    return Chart(title, width, height, left, top, plot_width, plot_height, bars, x_ticks, y_ticks, legend, table)


@dataclass(frozen=True)
class ResponsiveChart:
    """The same chart drawn twice: wide for a desktop, narrow (fewer labels) for a phone."""

    wide: Chart
    narrow: Chart

    @property
    def title(self) -> str:
        return self.wide.title

    @property
    def empty(self) -> bool:
        return self.wide.empty


def weekly_chart(
    title: str, weeks: List[date], series: Dict[str, List[int]], label: Callable[[str], str] = str
) -> ResponsiveChart:
    return ResponsiveChart(
        wide=stacked_weekly(title, weeks, series, label, width=640, height=260, max_ticks=13),
        narrow=stacked_weekly(title, weeks, series, label, width=340, height=240, max_ticks=5),
    )
