"""Regions side by side: comparison tables and bar charts built from published
statistics (never from the database), so that an instance serving several regions and
the hub harvesting many draw the same thing from the same figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from campagne.i18n_markers import N_
from campagne.stats.schema import Count, Measure, StatsV1, Table
from campagne.taxonomy import MILESTONES, SECTORS_BY_SLUG, SERVICE_CATEGORIES

Value = int | float | None

#: Indicators shown one row each: attribute name, label (translated at display), unit.
KEY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("members_total", N_("Members"), "people"),
    ("members_per_100k_inhabitants", N_("Members per 100,000 inhabitants"), "rate"),
    ("meetup_attendance", N_("Members who attended a meetup"), "people"),
    ("inquiries_received", N_("Inquiries received"), "people"),
    ("inquiries_converted", N_("Inquiries that became settled members"), "people"),
    ("median_days_inquiry_to_settlement", N_("Median days from inquiry to settlement"), "days"),
    ("desk_occupancy", N_("Desk occupancy"), "share"),
    ("meetups_held", N_("Meetups held"), "meetups"),
    ("meetup_attendance_rate", N_("Meetup attendance rate"), "share"),
)
RETENTION_LABELS: tuple[tuple[int, str], ...] = (
    (1, N_("Still members one year after arrival")),
    (2, N_("Still members two years after arrival")),
    (3, N_("Still members three years after arrival")),
)
TABLES: tuple[tuple[str, str], ...] = (
    ("members_by_sector", N_("Members by sector")),
    ("members_by_origin", N_("Members by origin (French region or country)")),
    ("arrivals_by_year", N_("Arrivals per year")),
    ("services_used", N_("Members who used each kind of service")),
    ("milestones_reached", N_("Members who reached each milestone")),
)


@dataclass(frozen=True)
class Figure:
    """One region's value in a comparison: a number, or why there is none."""

    value: Value
    state: str  # "published", "suppressed" or "unavailable"


@dataclass(frozen=True)
class Row:
    """One line of a comparison table: a label and one figure per region."""

    key: str
    label: str
    unit: str
    figures: list[Figure]


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, with its geometry in the SVG's user units."""

    label: str
    series: int
    value: Value
    y: float
    width: float


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: one group of bars (one per region) per row of a table."""

    key: str
    title: str
    groups: list[tuple[str, list[Bar]]]
    height: float
    label_width: float = 270
    plot_width: float = 340
    bar_height: float = 16


@dataclass
class Comparison:
    """Everything the comparison pages and the CSV show."""

    regions: list[tuple[str, str]]  # (slug, name)
    key_rows: list[Row] = field(default_factory=list)
    tables: list[tuple[str, str, list[Row]]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    # The same charts laid out for a phone: each label above its bars (see phone_chart).
    phone_charts: list[Chart] = field(default_factory=list)
    retention: list[Row] = field(default_factory=list)


def _figure(item: Count | Measure) -> Figure:
    if not item.available:
        return Figure(None, "unavailable")
    return Figure(item.value, "suppressed" if item.suppressed else "published")


def _label(table: str, key: str) -> str:
    if table == "members_by_sector" and key in SECTORS_BY_SLUG:
        return SECTORS_BY_SLUG[key].label
    if table == "services_used" and key in SERVICE_CATEGORIES:
        return SERVICE_CATEGORIES[key]
    if table == "milestones_reached" and key in MILESTONES:
        return MILESTONES[key]
    return key


def _table_rows(name: str, tables: list[Table]) -> list[Row]:
    seen = {cell.key for table in tables for cell in table.cells}
    keys = sorted(seen)
    if name == "milestones_reached":  # in the order a project reaches them
        keys = [key for key in MILESTONES if key in seen] + sorted(seen - set(MILESTONES))
    rows = []
    for key in keys:
        figures = []
        for table in tables:
            cell = next((c for c in table.cells if c.key == key), None)
            figures.append(Figure(0, "published") if cell is None else
                           Figure(cell.value, "suppressed" if cell.suppressed else "published"))
        rows.append(Row(key=key, label=_label(name, key), unit="people", figures=figures))
    return rows


def bar_chart(key: str, title: str, rows: list[Row], series: int) -> Chart:
    """Lay out ``rows`` as groups of ``series`` bars, scaled to the largest value."""
    largest = max((f.value for row in rows for f in row.figures
                   if isinstance(f.value, int | float)), default=0) or 1
    chart = Chart(key=key, title=title, groups=[], height=0)
    y = 8.0
    for row in rows:
        bars = []
        for index, figure in enumerate(row.figures[:series]):
            width = 0.0 if figure.value is None else chart.plot_width * figure.value / largest
            bars.append(Bar(label=row.label, series=index, value=figure.value, y=y,
                            width=round(width, 1)))
            y += chart.bar_height + 2
        chart.groups.append((row.label, bars))
        y += 10
    return Chart(key=key, title=title, groups=chart.groups, height=y + 4)


PHONE_WIDTH = 320  # user units, about the width of a phone's column in CSS px
PHONE_LABEL_LINE = 20


def phone_chart(key: str, title: str, rows: list[Row], series: int) -> Chart:
    """Lay out ``rows`` for a narrow screen: each group's label on a line of its own above
    its bars, which take the whole width but the room for their values. Drawn at about one
    user unit per CSS pixel, so that its text keeps its size on a phone."""
    largest = max((f.value for row in rows for f in row.figures
                   if isinstance(f.value, int | float)), default=0) or 1
    chart = Chart(key=key, title=title, groups=[], height=0, label_width=0,
                  plot_width=PHONE_WIDTH - 72, bar_height=18)
    y = 0.0
    for row in rows:
        y += PHONE_LABEL_LINE
        bars = []
        for index, figure in enumerate(row.figures[:series]):
            width = 0.0 if figure.value is None else chart.plot_width * figure.value / largest
            bars.append(Bar(label=row.label, series=index, value=figure.value, y=y,
                            width=round(width, 1)))
            y += chart.bar_height + 3
        chart.groups.append((row.label, bars))
        y += 10
    return Chart(key=key, title=title, groups=chart.groups, height=y, label_width=0,
                 plot_width=chart.plot_width, bar_height=chart.bar_height)


def compare(stats: list[StatsV1]) -> Comparison:
    """The comparison of the given regions' statistics, in the order given."""
    result = Comparison(regions=[(s.region.slug, s.region.name) for s in stats])
    for name, label, unit in KEY_ROWS:
        result.key_rows.append(Row(key=name, label=label, unit=unit,
                                   figures=[_figure(getattr(s.indicators, name))
                                            for s in stats]))
    for years, label in RETENTION_LABELS:
        figures = []
        for s in stats:
            share = next((r for r in s.indicators.retention if r.years == years), None)
            figures.append(Figure(None, "unavailable") if share is None else
                           Figure(share.share, "suppressed" if share.share is None
                                  else "published"))
        result.retention.append(Row(key=f"retention_{years}", label=label, unit="share",
                                    figures=figures))
    for name, label in TABLES:
        result.tables.append((name, label, _table_rows(
            name, [getattr(s.indicators, name) for s in stats])))
    count = len(stats)
    result.charts.append(bar_chart("members", N_("Members"), result.key_rows[:1], count))
    result.charts.append(bar_chart("per-capita", N_("Members per 100,000 inhabitants"),
                                   result.key_rows[1:2], count))
    sectors = next(rows for name, _, rows in result.tables if name == "members_by_sector")
    result.charts.append(bar_chart("sectors", N_("Members by sector"), sectors, count))
    result.phone_charts = [
        phone_chart("members", N_("Members"), result.key_rows[:1], count),
        phone_chart("per-capita", N_("Members per 100,000 inhabitants"),
                    result.key_rows[1:2], count),
        phone_chart("sectors", N_("Members by sector"), sectors, count)]
    return result
