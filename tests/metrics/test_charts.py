"""The SVG charts, read back as XML the way a browser or WeasyPrint would parse them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from metrics.charts import bar_chart_svg, compact_money, line_chart_svg, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def texts(root: ET.Element, cls: str) -> list[str]:
    return [el.text or "" for el in root.iterfind("svg:text", NS) if el.get("class") == cls]


def bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iterfind("svg:rect", NS) if "bar" in (el.get("class") or "")]


def aging_chart() -> str:
    return bar_chart_svg(
        title="Receivables by days past due",
        labels=["Current", "1\u201330", "31\u201360", "61\u201390", "90+"],
        values=[
            Decimal("1200.00"),
            Decimal("300.00"),
            Decimal("0"),
            Decimal("450.50"),
            Decimal(600),
        ],
        currency="USD",
        x_label="Days past due",
        y_label="USD",
        alert_from=1,
    )


def test_a_bar_chart_is_a_labelled_image_a_screen_reader_can_read() -> None:
    root = parse(aging_chart())
    assert root.get("role") == "img"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and title.text == "Receivables by days past due"
    assert desc is not None
    # Every figure exactly, in order, so nothing is only in the picture.
    assert desc.text == (
        "Current: $1,200.00; 1\u201330: $300.00; 31\u201360: $0.00; 61\u201390: $450.50; 90+: $600.00"
    )
    labelled_by = (root.get("aria-labelledby") or "").split()
    assert labelled_by == [title.get("id"), desc.get("id")]


def test_bar_heights_are_in_proportion_to_the_values() -> None:
    root = parse(aging_chart())
    heights = [Decimal(bar.get("height") or "") for bar in bars(root)]
    # 300 is a quarter of 1200, 450.50 is 0.37541..., 600 a half; 0 draws no bar at all.
    assert heights[2] == 0
    per_dollar = heights[0] / Decimal(1200)
    for height, value in zip(heights, ["1200", "300", "0", "450.50", "600"], strict=True):
        assert abs(height - per_dollar * Decimal(value)) < Decimal("0.02")
    # All bars stand on the same baseline.
    bottoms = {Decimal(bar.get("y") or "") + Decimal(bar.get("height") or "") for bar in bars(root)}
    assert max(bottoms) - min(bottoms) < Decimal("0.02")


def test_each_bar_has_its_label_and_a_value_above_it() -> None:
    root = parse(aging_chart())
    assert texts(root, "label") == ["Current", "1\u201330", "31\u201360", "61\u201390", "90+"]
    assert texts(root, "value") == ["$1,200", "$300", "$0", "$451", "$600"]
    assert "Days past due" in texts(root, "axis-label")
    assert "USD" in texts(root, "axis-label")


def test_overdue_bars_say_so_in_their_class_not_only_their_colour() -> None:
    classes = [bar.get("class") for bar in bars(parse(aging_chart()))]
    assert classes == ["bar", "bar alert", "bar alert", "bar alert", "bar alert"]


def test_text_is_escaped_and_the_markup_stays_well_formed() -> None:
    markup = bar_chart_svg(
        title='Bob & "Sons" <script>',
        labels=["<b>x</b>"],
        values=[Decimal(5)],
        currency="EUR",
    )
    root = parse(markup)  # would raise on a stray "<" or "&"
    assert "<script>" not in markup
    assert root.find("svg:title", NS).text == 'Bob & "Sons" <script>'  # type: ignore[union-attr]
    assert texts(root, "label") == ["<b>x</b>"]


def test_no_inline_styles_the_csp_would_refuse() -> None:
    markup = aging_chart() + line_chart_svg(
        title="DSO", points=[("Jan", Decimal("40.0"))], unit="days"
    )
    assert "style" not in markup


def test_the_axis_has_round_ticks_covering_the_largest_value() -> None:
    root = parse(aging_chart())
    assert texts(root, "tick") == ["$0", "$500", "$1,000", "$1,500"]


def test_nice_ticks_and_compact_amounts() -> None:
    assert nice_ticks(Decimal(0), Decimal(87)) == [0, 50, 100]
    assert nice_ticks(Decimal(0), Decimal("0.3")) == [
        Decimal("0"),
        Decimal("0.1"),
        Decimal("0.2"),
        Decimal("0.3"),
    ]
    assert nice_ticks(Decimal(-40), Decimal(60)) == [-50, 0, 50, 100]
    assert compact_money(Decimal("12345.67"), "USD") == "$12.3k"
    assert compact_money(Decimal("2500000"), "EUR") == "€2.5M"
    assert compact_money(Decimal("950.40"), "JPY") == "¥950"
    assert compact_money(Decimal("-1200"), "USD") == "-$1,200"


def test_mismatched_labels_and_values_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        bar_chart_svg(title="x", labels=["a", "b"], values=[Decimal(1)], currency="USD")


def test_an_empty_chart_says_so() -> None:
    root = parse(bar_chart_svg(title="Aging", labels=[], values=[], currency="USD"))
    assert texts(root, "empty") == ["No figures to show yet."]
    assert bars(root) == []


def dso_trend() -> str:
    return line_chart_svg(
        title="DSO, last 4 months",
        points=[
            ("Jan", Decimal("40.0")),
            ("Feb", Decimal("50.0")),
            ("Mar", None),
            ("Apr", Decimal("20.5")),
        ],
        unit="days",
        x_label="Month end",
    )


def test_a_line_chart_marks_and_labels_each_point() -> None:
    root = parse(dso_trend())
    assert root.get("role") == "img"
    desc = root.find("svg:desc", NS)
    assert desc is not None
    assert desc.text == "Jan: 40.0 days; Feb: 50.0 days; Mar: no figure; Apr: 20.5 days"
    assert texts(root, "label") == ["Jan", "Feb", "Mar", "Apr"]
    assert texts(root, "value") == ["40.0", "50.0", "20.5"]
    assert "Days" in texts(root, "axis-label")


def test_line_points_sit_at_heights_in_proportion_to_their_values() -> None:
    root = parse(dso_trend())
    ys = [Decimal(c.get("cy") or "") for c in root.iterfind("svg:circle", NS)]
    zero_y = Decimal(root.find("svg:line[@class='axis']", NS).get("y1") or "")  # type: ignore[union-attr]
    rises = [zero_y - y for y in ys]
    # 50 is 1.25 times 40, 20.5 is 0.5125 times 40.
    assert abs(rises[1] - rises[0] * Decimal("1.25")) < Decimal("0.02")
    assert abs(rises[2] - rises[0] * Decimal("0.5125")) < Decimal("0.02")


def test_a_missing_month_leaves_a_gap_in_the_line() -> None:
    path = parse(dso_trend()).find("svg:path", NS)
    assert path is not None
    # Two runs: Jan-Feb, then Apr on its own after the gap.
    assert (path.get("d") or "").count("M") == 2


def test_percent_points_read_as_percentages() -> None:
    root = parse(line_chart_svg(title="CEI", points=[("Q1", Decimal("87.5"))], unit="%"))
    assert root.find("svg:desc", NS).text == "Q1: 87.5%"  # type: ignore[union-attr]
    assert texts(root, "value") == ["87.5%"]


def test_a_visible_title_for_print() -> None:
    root = parse(
        line_chart_svg(
            title="CEI by quarter", points=[("Q1", Decimal(90))], unit="%", show_title=True
        )
    )
    assert texts(root, "chart-title") == ["CEI by quarter"]


def test_a_label_of_two_lines_and_room_for_many_bars() -> None:
    labels = ["Jan\n2027", *(f"B{i}" for i in range(11))]
    root = parse(
        bar_chart_svg(
            title="Wide", labels=labels, values=[Decimal(i) for i in range(12)], currency="USD"
        )
    )
    assert texts(root, "label")[0] == "Jan"
    assert texts(root, "label-more") == ["2027"]  # on the line under it
    # The description reads it as one phrase.
    assert (root.findtext("svg:desc", namespaces=NS) or "").startswith("Jan 2027: $0.00")
    # 12 bars need 66 + 12 x 64 = 834 units across; the default 400 would squeeze them.
    assert root.get("viewBox", "").split()[2] == "834"


def test_a_line_with_no_figure_at_all_is_an_empty_chart() -> None:
    # CEI of an organization with nothing collectable: every month is None.
    root = parse(line_chart_svg(title="CEI", points=[("Jan", None), ("Feb", None)], unit="%"))
    assert texts(root, "empty") == ["No figures to show yet."]
    assert root.find("svg:path", NS) is None
