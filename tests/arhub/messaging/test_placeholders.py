"""The placeholder language of owner-written text, and the built-in wording written in it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arhub.messaging.defaults import DEFAULTS, LANGUAGES, default_text
from arhub.messaging.placeholders import (
    AVAILABLE,
    PLACEHOLDERS,
    PlaceholderError,
    format_amount,
    format_day,
    render,
    template_problems,
    unavailable_placeholders,
    unknown_placeholders,
)
from arhub.messaging.sms import sms_length
from arhub.models import Channel, MessageKind
from invoicing.models import Language

VALUES = {name: p.example for name, p in PLACEHOLDERS.items()}


def test_placeholders_are_filled_in():
    text = "Hi {contact_name}, invoice {invoice_number} for {amount_due}."
    assert render(text, VALUES, html=False) == "Hi Maria, invoice INV-0042 for $1,250.00."


def test_spaces_inside_the_braces_are_forgiven():
    assert render("Hi { contact_name }!", VALUES, html=False) == "Hi Maria!"


def test_doubled_braces_write_literal_braces():
    assert render("{{contact_name}} is {contact_name}", VALUES, html=False) == (
        "{contact_name} is Maria"
    )
    assert render("a }} b {{", {}, html=False) == "a } b {"


def test_a_lone_brace_is_just_a_character():
    assert render("smile :} or {", {}, html=False) == "smile :} or {"


def test_unknown_placeholder_is_an_error_naming_it():
    with pytest.raises(PlaceholderError) as raised:
        render("Hi {contact_name}, pay {invoice_no} by {when}", VALUES, html=False)
    assert raised.value.names == ["invoice_no", "when"]
    assert "{invoice_no}" in str(raised.value) and "{when}" in str(raised.value)


def test_unknown_placeholders_lists_each_once_in_order():
    assert unknown_placeholders("{b} {a} {contact_name} {b} {{x}}") == ["b", "a"]


def test_django_template_syntax_is_not_evaluated_but_refused():
    # Owner text never reaches the template engine: tags are unknown placeholders.
    assert unknown_placeholders("{% if x %}yes{% endif %}") == ["% if x %", "% endif %"]
    # "{{ name }}" is a literal "{ name }", as in Python's format strings.
    assert render("{{ org_name }}", {}, html=False) == "{ org_name }"


def test_problems_suggest_the_nearest_name():
    problems = template_problems("Pay {invoice_no}", MessageKind.REMINDER)
    assert problems == ["Unknown placeholder {invoice_no}. Did you mean {invoice_number}?"]


def test_a_placeholder_the_kind_has_no_value_for_is_a_problem():
    assert unavailable_placeholders("{payment_amount}", MessageKind.REMINDER) == ["payment_amount"]
    (problem,) = template_problems("Got {payment_amount}", MessageKind.REMINDER)
    assert problem.startswith("{payment_amount} cannot be used in reminder messages")


def test_a_missing_value_is_an_error_naming_it():
    with pytest.raises(PlaceholderError, match=r"\{pay_link\}") as raised:
        render("Pay here: {pay_link}", {}, html=False)
    assert raised.value.names == ["pay_link"]


def test_html_escapes_the_text_and_the_values():
    values = {**VALUES, "customer_name": "<script>alert(1)</script> & Sons"}
    html = render("<b>{customer_name}</b>", values, html=True)
    assert html == ("<p>&lt;b&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons&lt;/b&gt;</p>")


def test_html_makes_paragraphs_line_breaks_and_links():
    html = render("Hi {contact_name},\n\nPay here:\n{pay_link}", VALUES, html=True)
    assert html == (
        "<p>Hi Maria,</p>\n"
        '<p>Pay here:<br>\n<a href="https://pay.example/i/abc">https://pay.example/i/abc</a></p>'
    )


def test_only_web_links_become_links():
    values = {**VALUES, "pay_link": 'javascript:alert("x")'}
    assert render("{pay_link}", values, html=True) == "<p>javascript:alert(&quot;x&quot;)</p>"


def test_amounts_and_dates_read_in_the_customers_language():
    assert format_amount(Decimal("1250.5"), "USD", locale="en") == "$1,250.50"
    assert format_amount(Decimal("1250"), "JPY", locale="en") == "¥1,250"
    assert format_amount(Decimal("1250.5"), "EUR", locale="es") == "1.250,50\xa0€"
    assert format_day(date(2026, 3, 12), locale="es") == "12 de marzo de 2026"
    assert format_day(date(2026, 3, 12), locale="en_GB") == "12 March 2026"


# ---- Properties

KNOWN = sorted(PLACEHOLDERS)
# Free text: anything but braces (a brace pair around other words is an unknown placeholder).
free_text = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=40)
pieces = st.one_of(
    free_text,
    st.sampled_from([f"{{{name}}}" for name in KNOWN]),
    st.sampled_from(["{{", "}}"]),
)
owner_text = st.lists(pieces, max_size=12).map("".join)
any_values = st.fixed_dictionaries({name: st.text(max_size=30) for name in KNOWN})
OUR_TAGS = re.compile(r'<p>|</p>|<br>|<a href="[^"<>]*">|</a>')


@settings(max_examples=300, deadline=None)
@given(text=owner_text, values=any_values, html=st.booleans())
def test_rendering_text_with_only_known_placeholders_never_raises(text, values, html):
    assert isinstance(render(text, values, html=html), str)
    assert unknown_placeholders(text) == []


@settings(max_examples=300, deadline=None)
@given(text=owner_text, values=any_values)
def test_html_never_carries_a_raw_angle_bracket_from_text_or_values(text, values):
    html = render(text, values, html=True)
    assert "<" not in OUR_TAGS.sub("", html)
    assert ">" not in OUR_TAGS.sub("", html)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), values=any_values)
def test_plain_rendering_is_the_text_with_each_placeholder_replaced(data, values):
    # Build the text and, alongside, what it must render to.
    parts = data.draw(
        st.lists(
            st.one_of(
                free_text.map(lambda t: (t, t)),
                st.sampled_from(KNOWN).map(lambda n: ("{" + n + "}", values[n])),
                st.sampled_from([("{{", "{"), ("}}", "}")]),
            ),
            max_size=12,
        )
    )
    text = "".join(source for source, _ in parts)
    assert render(text, values, html=False) == "".join(out for _, out in parts)


# ---- The built-in wording


def test_languages_mirror_the_customer_languages():
    assert list(LANGUAGES) == list(Language.choices)


@pytest.mark.parametrize("kind", MessageKind.values)
@pytest.mark.parametrize("channel", Channel.values)
@pytest.mark.parametrize("language", [code for code, _ in LANGUAGES])
def test_every_kind_channel_and_language_has_wording_that_renders(kind, channel, language):
    text = DEFAULTS[(kind, channel, language)]
    assert template_problems(text.body, kind) == []
    assert template_problems(text.subject, kind) == []
    body = render(text.body, VALUES, html=False)
    assert "{" not in body and "}" not in body
    if channel == Channel.EMAIL:
        assert text.subject
        assert "{contact_name}" in text.body and "{org_name}" in text.body
    else:
        assert text.subject == ""
        # Texts say who is writing first.
        assert text.body.startswith("{org_name}")


@pytest.mark.parametrize("kind", MessageKind.values)
@pytest.mark.parametrize("language", [code for code, _ in LANGUAGES])
def test_texts_fit_one_sms_with_ordinary_values(kind, language):
    values = {
        **VALUES,
        "org_name": "Acme Plumbing",
        "due_date": "Mar 12, 2026" if language == "en" else "12 mar 2026",
        "pay_link": "https://arhub.example/pay/Ab3dEf7hJk9m/",
        "statement_link": "https://arhub.example/s/Ab3dEf7hJk9m/",
    }
    text = render(DEFAULTS[(kind, Channel.SMS, language)].body, values, html=False)
    length = sms_length(text)
    assert not length.unicode, f"{text!r} needs UCS-2 (70 characters an SMS)"
    assert length.segments == 1, f"{text!r} is {length.characters} characters"


def test_every_kind_offers_the_names_and_the_business():
    for kind in MessageKind.values:
        assert {"customer_name", "contact_name", "org_name"} <= set(AVAILABLE[kind])


def test_a_language_without_wording_falls_back_to_english():
    assert (
        default_text(kind="invoice", channel="email", language="fr")
        == DEFAULTS[("invoice", "email", "en")]
    )
