"""Bar and line charts as SVG markup, drawn on the server: the same string goes into a page and
into a PDF report, so nothing here may depend on JavaScript or on a stylesheet being present.

Accessibility: the root is ``role="img"`` labelled by its ``<title>`` and ``<desc>``; the desc
reads every value exactly ("Current: $1,200.00"), so a screen reader hears the figures a sighted
person reads off the bars. Colours come from presentation attributes (``currentColor`` for text
and axes) that the app's stylesheet may override with its CSS variables, so the chart follows
light and dark mode on screen and prints in plain colours where no stylesheet applies. No
``style`` attribute or ``<style>`` element: the pages' CSP refuses inline styles.

Values are Decimal throughout; coordinates are rounded to hundredths of a unit only when written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_symbol
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from arhub.money import money_format

ZERO = Decimal(0)
# The colours used where the stylesheet does not reach (a PDF); the page's CSS replaces them.
BAR_FILL = "#1f6feb"  # not the brand colour, which may be as red as the alert
ALERT_FILL = "#b42318"
LINE_STROKE = "#1f6feb"


@dataclass(frozen=True)
class Frame:
    """The drawing area inside the SVG's view box, and the value range it shows."""

    left: Decimal
    right: Decimal
    top: Decimal
    bottom: Decimal
    low: Decimal
    high: Decimal

    def y(self, value: Decimal) -> Decimal:
        span = self.high - self.low
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


def nice_ticks(low: Decimal, high: Decimal, count: int = 4) -> list[Decimal]:
    """Round axis values covering ``low``..``high`` (which include 0): steps of 1, 2 or 5
    times a power of ten, about ``count`` of them."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = Decimal(10) ** raw.adjusted()
    step = next(
        (m * power for m in (Decimal(1), Decimal(2), Decimal(5)) if m * power >= raw),
        10 * power,
    )
    start = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    ticks = [start]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def compact_money(value: Decimal, currency: str) -> str:
    """A short amount for an axis or a bar: "$950", "$12.3k", "$1.2M". Exact figures are in the
    chart's description and in the table beside it."""
    symbol = get_currency_symbol(currency, locale="en_US")
    if len(symbol) > 1 and symbol.isalpha():
        symbol += "\xa0"
    sign = "-" if value < 0 else ""
    size = abs(value)
    for limit, suffix in ((Decimal(1_000_000), "M"), (Decimal(10_000), "k")):
        if size >= limit:
            scaled = size / (limit if suffix == "M" else Decimal(1000))
            return f"{sign}{symbol}{scaled.quantize(Decimal('0.1'), ROUND_HALF_UP)}{suffix}"
    whole = size.quantize(Decimal(1), ROUND_HALF_UP)
    return f"{sign}{symbol}{whole:,}"


def unit_text(value: Decimal, unit: str) -> str:
    """ "45.2 days", "87.5%"."""
    shown = value.quantize(Decimal("0.1"), ROUND_HALF_UP) if value != value.to_integral() else value
    return f"{shown}%" if unit == "%" else f"{shown} {unit}"


def _n(value: Decimal | int) -> str:
    return format(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize(), "f")


def _text(
    x: Decimal | int,
    y: Decimal | int,
    words: str,
    cls: str,
    anchor: str = "middle",
    extra: str = "",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" class="{cls}" text-anchor="{anchor}" '
        f'fill="currentColor"{extra}>{escape(words)}</text>'
    )


def _label(x: Decimal, y: Decimal, words: str) -> str:
    """An axis label; a line break in ``words`` puts the rest on a line of its own under it
    (a month, and under it its year). Separate texts, not tspans: WeasyPrint does not centre a
    tspan."""
    first, *more = words.split("\n")
    parts = [_text(x, y, first, "label")]
    parts += [_text(x, y + 15 * (i + 1), line, "label-more") for i, line in enumerate(more)]
    return "".join(parts)


def _flat(label: str) -> str:
    return label.replace("\n", " ")


def _label_room(labels: Sequence[str]) -> int:
    """Extra space under the plot for labels of two lines."""
    return 15 if any("\n" in label for label in labels) else 0


WIDE = 480


def _open(kind: str, title: str, desc: str, width: int, height: int, show_title: bool) -> str:
    key = f"chart-{slugify(title) or kind}"
    # A chart drawn wider than usual (many bars) may grow wider on the page too, so its text
    # is not scaled down to nothing.
    wide = " chart-wide" if width > WIDE else ""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}{wide}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="13" '
        f'aria-labelledby="{key}-title {key}-desc">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(desc)}</desc>'
    )
    if show_title:
        head += _text(4, 18, title, "chart-title", "start", ' font-weight="700" font-size="15"')
    return head


def _grid(
    frame: Frame, ticks: Sequence[Decimal], label: str, tick_text: Callable[[Decimal], str]
) -> list[str]:
    parts = []
    for tick in ticks:
        y = frame.y(tick)
        parts.append(
            f'<line class="grid" x1="{_n(frame.left)}" x2="{_n(frame.right)}" y1="{_n(y)}" '
            f'y2="{_n(y)}" stroke="currentColor" stroke-opacity="0.18"/>'
        )
        parts.append(_text(frame.left - 6, y + 4, tick_text(tick), "tick", "end"))
    parts.append(
        f'<line class="axis" x1="{_n(frame.left)}" x2="{_n(frame.right)}" '
        f'y1="{_n(frame.y(ZERO))}" y2="{_n(frame.y(ZERO))}" stroke="currentColor"/>'
    )
    if label:
        # Top left, over the tick labels' column, clear of the first bar's value label.
        parts.append(_text(4, frame.top - 16, label, "axis-label", "start"))
    return parts


def _empty(kind: str, title: str, width: int, height: int, show_title: bool) -> SafeString:
    body = _open(kind, title, "No figures to show yet.", width, height, show_title)
    body += _text(width // 2, height // 2, "No figures to show yet.", "empty")
    return mark_safe(body + "</svg>")  # noqa: S308 - every text above went through escape()


def bar_chart_svg(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal],
    currency: str,
    x_label: str = "",
    y_label: str = "",
    alert_from: int | None = None,
    show_title: bool = False,
    width: int = 400,
    height: int = 270,
) -> SafeString:
    """One bar per label, heights in proportion to the values, each value written above its
    bar. Bars from index ``alert_from`` on are drawn in the alert colour (overdue buckets), and
    say so in their class, not only in their colour."""
    if len(labels) != len(values):
        raise ValueError("bar_chart_svg: labels and values differ in length")
    if not labels:
        return _empty("bar", title, width, height, show_title)
    pairs = list(zip(labels, values, strict=True))
    desc = "; ".join(f"{_flat(label)}: {money_format(value, currency)}" for label, value in pairs)
    # Room for each bar and its value label, however many buckets there are.
    width = max(width, 66 + 64 * len(labels))
    height += _label_room(labels)
    top = Decimal(58 if show_title else 40)
    bottom = Decimal(height - (46 if x_label else 28) - _label_room(labels))
    ticks = nice_ticks(min(ZERO, *values), max(ZERO, *values))
    frame = Frame(Decimal(58), Decimal(width - 8), top, bottom, ticks[0], ticks[-1])
    parts = [_open("bar", title, desc, width, height, show_title)]
    parts += _grid(frame, ticks, y_label, lambda tick: compact_money(tick, currency))
    band = (frame.right - frame.left) / len(labels)
    bar_width = min(band * Decimal("0.62"), Decimal(72))
    for index, (label, value) in enumerate(pairs):
        centre = frame.left + band * index + band / 2
        y_value, y_zero = frame.y(value), frame.y(ZERO)
        alert = alert_from is not None and index >= alert_from
        cls, fill = ("bar alert", ALERT_FILL) if alert else ("bar", BAR_FILL)
        parts.append(
            f'<rect class="{cls}" x="{_n(centre - bar_width / 2)}" y="{_n(min(y_value, y_zero))}" '
            f'width="{_n(bar_width)}" height="{_n(abs(y_zero - y_value))}" fill="{fill}" '
            f'data-value="{value}"><title>{escape(_flat(label))}: '
            f"{escape(money_format(value, currency))}</title></rect>"
        )
        label_y = y_value - 6 if value >= 0 else y_value + 16
        parts.append(_text(centre, label_y, compact_money(value, currency), "value"))
        parts.append(_label(centre, frame.bottom + 18, label))
    if x_label:
        parts.append(_text((frame.left + frame.right) / 2, height - 6, x_label, "axis-label"))
    return mark_safe("".join(parts) + "</svg>")  # noqa: S308 - all text escaped above


def line_chart_svg(
    *,
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    unit: str,
    x_label: str = "",
    show_title: bool = False,
    width: int = 440,
    height: int = 270,
) -> SafeString:
    """A line through the points in order, each marked and labelled with its value. A point
    whose value is None (nothing to measure that month) leaves a gap in the line and reads
    "no figure" in the description."""
    if all(value is None for _, value in points):
        return _empty("line", title, width, height, show_title)
    desc = "; ".join(
        f"{_flat(label)}: {unit_text(value, unit) if value is not None else 'no figure'}"
        for label, value in points
    )
    known = [value for _, value in points if value is not None]
    labels = [label for label, _ in points]
    width = max(width, 56 + 30 * len(points))
    height += _label_room(labels)
    top = Decimal(58 if show_title else 40)
    bottom = Decimal(height - (46 if x_label else 28) - _label_room(labels))
    ticks = nice_ticks(min(ZERO, *known), max(ZERO, *known))
    frame = Frame(Decimal(48), Decimal(width - 8), top, bottom, ticks[0], ticks[-1])
    y_label = "%" if unit == "%" else unit.capitalize()
    parts = [_open("line", title, desc, width, height, show_title)]
    parts += _grid(frame, ticks, y_label, lambda tick: f"{tick.normalize():f}")
    band = (frame.right - frame.left) / len(points)
    # Twelve months of "87.5%" side by side need a smaller figure to stay apart.
    small = ' font-size="11"' if len(points) > 8 else ""
    path: list[str] = []
    marks: list[str] = []
    pen_up = True
    for index, (label, value) in enumerate(points):
        x = frame.left + band * index + band / 2
        parts.append(_label(x, frame.bottom + 18, label))
        if value is None:
            pen_up = True
            continue
        y = frame.y(value)
        path.append(f"{'M' if pen_up else 'L'}{_n(x)} {_n(y)}")
        pen_up = False
        marks.append(
            f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{LINE_STROKE}" '
            f'data-value="{value}"><title>{escape(_flat(label))}: '
            f"{escape(unit_text(value, unit))}</title></circle>"
        )
        words = unit_text(value, unit).split(" ")[0]
        marks.append(_text(x, y - 8, words, "value", extra=small))
    if path:
        parts.append(
            f'<path class="line" d="{" ".join(path)}" fill="none" stroke="{LINE_STROKE}" '
            f'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    parts += marks
    if x_label:
        parts.append(_text((frame.left + frame.right) / 2, height - 6, x_label, "axis-label"))
    return mark_safe("".join(parts) + "</svg>")  # noqa: S308 - all text escaped above
