"""A server-drawn line chart of one indicator's trends (one line per region), laid out here
in SVG user units and drawn by ``hub_trends.html``, with the text of its description and
its data table. Lines differ by colour, dash pattern and marker shape, so colour is never
the only clue. Call it while the request's language is set: labels are formatted here."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from campagne import i18n
from campagne.hub.trends import Number, TrendSeries
from campagne.i18n_markers import N_

UNIT_LABELS = {"people": N_("Number of people"), "share": N_("Share"), "days": N_("Days"),
               "per_100k_inhabitants": N_("Per 100,000 inhabitants")}
SHAPES = 6  # marker shapes, colours and dash patterns cycle; together unique for 12 lines
DASHES = 4


@dataclass(frozen=True)
class Tick:
    """A graduation of an axis and its label."""

    at: float
    label: str


@dataclass(frozen=True)
class Marker:
    """A point of a line: where it is, its shape as a path and what it says."""

    path: str
    title: str


@dataclass(frozen=True)
class Line:
    """One region's line: pieces between gaps, markers, and its look."""

    index: int
    name: str
    pieces: list[str]  # path data, one per run of consecutive days with a value
    markers: list[Marker]
    summary: str

    @property
    def colour(self) -> int:
        """The colour class number."""
        return self.index % SHAPES

    @property
    def dash(self) -> int:
        """The dash pattern class number."""
        return self.index % DASHES

    @property
    def hollow(self) -> bool:
        """Markers of the second cycle of shapes are drawn hollow."""
        return (self.index // SHAPES) % 2 == 1

    @property
    def shape(self) -> int:
        """The marker shape number."""
        return self.index % SHAPES

    @property
    def legend_marker(self) -> str:
        """The marker drawn in the legend (a 36 by 14 box)."""
        return marker_path(self.index, 18, 7)


@dataclass(frozen=True)
class TableRow:
    """One day of the data table: its label and one cell per line (text, state)."""

    day: dt.date
    label: str
    cells: list[tuple[str, str]]  # (text, "published" | "suppressed" | "missing")


@dataclass(frozen=True)
class LineChart:
    """Everything the template draws."""

    width: float
    height: float
    left: float
    top: float
    plot_width: float
    plot_height: float
    x_label: str
    y_label: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    lines: list[Line]
    rows: list[TableRow]

    @property
    def bottom(self) -> float:
        """The y of the horizontal axis."""
        return self.top + self.plot_height

    @property
    def right(self) -> float:
        """The x of the right end of the plot."""
        return self.left + self.plot_width


def format_value(value: Number, unit: str) -> str:
    """A value in the request's language: a share as a percentage, a count without decimals."""
    if unit == "share":
        return i18n.format_percent(value)
    if isinstance(value, int) or (unit == "people" and float(value).is_integer()):
        return i18n.format_number(value)
    return i18n.format_number(value, 1)


def nice_top(largest: float, unit: str) -> tuple[float, float]:
    """The top of the value axis and its step: 1, 2, 2.5 or 5 times a power of ten, about
    four steps; whole steps for counts of people."""
    if largest <= 0:
        return (1.0, 0.25) if unit == "share" else (4.0, 1.0)
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if unit == "people":
        step = max(1.0, math.ceil(step))
    return step * math.ceil(largest / step - 1e-9), step


def marker_path(shape: int, x: float, y: float) -> str:
    """Path data of a marker centred on (x, y): circle, square, triangle, diamond, bar, cross."""
    paths = (
        f"M{x - 4:.1f},{y:.1f}a4,4 0 1,0 8,0a4,4 0 1,0 -8,0Z",
        f"M{x - 3.5:.1f},{y - 3.5:.1f}h7v7h-7Z",
        f"M{x:.1f},{y - 5:.1f}l5,8.5h-10Z",
        f"M{x:.1f},{y - 5:.1f}l5,5l-5,5l-5,-5Z",
        f"M{x - 5:.1f},{y - 2:.1f}h10v4h-10Z",
        f"M{x - 1.5:.1f},{y - 5:.1f}h3v3.5h3.5v3h-3.5v3.5h-3v-3.5h-3.5v-3h3.5Z",
    )
    return paths[shape % SHAPES]


def series_names(series: list[TrendSeries]) -> list[str]:
    """The region's name, with the instance's when two lines would share a name."""
    names = [line.region_name for line in series]
    return [f"{name} ({line.instance})" if names.count(name) > 1 else name
            for name, line in zip(names, series, strict=True)]


def _x_ticks(first: dt.date, span: int, x: float, width: float) -> list[Tick]:
    step = max(1, math.ceil(span / 5))
    return [Tick(x + (width * offset / span if span else width / 2),
                 i18n.format_day(first + dt.timedelta(days=offset), "medium"))
            for offset in range(0, span + 1, step)]


def line_chart(series: list[TrendSeries], unit: str) -> LineChart | None:
    """The chart of ``series`` (all of one indicator), or None when there is no point."""
    days = sorted({point.date for line in series for point in line.points})
    if not days:
        return None
    chart = LineChart(width=720, height=300, left=78, top=16, plot_width=590, plot_height=240,
                      x_label=i18n.gettext("Day of harvest"),
                      y_label=i18n.gettext(UNIT_LABELS.get(unit, unit)),
                      x_ticks=[], y_ticks=[], lines=[], rows=[])
    first, span = days[0], (days[-1] - days[0]).days
    values = [p.value for line in series for p in line.points if p.value is not None]
    top, step = nice_top(max(values, default=0), unit)

    def x_of(day: dt.date) -> float:
        offset = (day - first).days
        return chart.left + (chart.plot_width * offset / span if span else chart.plot_width / 2)

    def y_of(value: Number) -> float:
        return chart.bottom - chart.plot_height * value / top

    chart.x_ticks.extend(_x_ticks(first, span, chart.left, chart.plot_width))
    chart.y_ticks.extend(Tick(y_of(step * k), format_value(
        step * k if unit != "people" else int(step * k), unit))
        for k in range(round(top / step) + 1))
    names = series_names(series)
    for index, (line, name) in enumerate(zip(series, names, strict=True)):
        by_day = {point.date: point for point in line.points}
        pieces: list[list[str]] = []
        markers, previous = [], False
        for day in days:  # a day another line has but this one lacks breaks the line
            point = by_day.get(day)
            if point is None or point.value is None:
                previous = False
                continue
            x, y = x_of(day), y_of(point.value)
            if not previous:
                pieces.append([])
            pieces[-1].append(f"{'L' if previous else 'M'}{x:.1f},{y:.1f}")
            previous = True
            markers.append(Marker(marker_path(index, x, y), i18n.gettext(
                "%(name)s, %(day)s: %(value)s") % {
                "name": name, "day": i18n.format_day(day, "long"),
                "value": format_value(point.value, unit)}))
        chart.lines.append(Line(index, name, ["".join(p) for p in pieces if len(p) > 1],
                                markers, _summary(line, name, unit)))
    chart.rows.extend(_rows(series, days, unit))
    return chart


def _summary(line: TrendSeries, name: str, unit: str) -> str:
    published = [p for p in line.points if p.value is not None]
    withheld = len(line.points) - len(published)
    if not published:
        text = i18n.gettext("%(name)s: no published value") % {"name": name}
    else:
        text = i18n.gettext("%(name)s: from %(first)s on %(first_day)s to %(last)s on "
                            "%(last_day)s") % {
            "name": name, "first": format_value(published[0].value or 0, unit),
            "first_day": i18n.format_day(published[0].date, "long"),
            "last": format_value(published[-1].value or 0, unit),
            "last_day": i18n.format_day(published[-1].date, "long")}
    if withheld:
        text += " " + i18n.ngettext("(%(num)s day withheld)", "(%(num)s days withheld)",
                                    withheld) % {"num": withheld}
    return text + "."


def _rows(series: list[TrendSeries], days: list[dt.date], unit: str) -> list[TableRow]:
    by_day = [{point.date: point for point in line.points} for line in series]
    rows = []
    for day in days:
        cells = []
        for points in by_day:
            point = points.get(day)
            if point is None:
                cells.append(("", "missing"))
            elif point.value is None:
                cells.append((i18n.gettext("not published"), "suppressed"))
            else:
                cells.append((format_value(point.value, unit), "published"))
        rows.append(TableRow(day, i18n.format_day(day, "long"), cells))
    return rows
