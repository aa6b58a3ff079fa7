import pytest

from arhub.colours import DARK_TEXT, LIGHT_TEXT, contrast_ratio, text_colour_on


def test_invalid_colour_falls_back_to_white_text():
    assert text_colour_on("green") == LIGHT_TEXT


def test_contrast_ratio_extremes():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        ("#1f6feb", LIGHT_TEXT),
        ("#b4461b", LIGHT_TEXT),
        ("#ffe600", DARK_TEXT),
        ("#a0e8af", DARK_TEXT),
    ],
)
def test_text_colour_on_brand(brand, text):
    assert text_colour_on(brand) == text
    assert contrast_ratio(brand, text) >= 3.0


@pytest.mark.django_db
def test_pale_brand_gets_dark_button_text(tenant):
    tenant.org.brand_color = "#ffe600"
    tenant.org.save()
    body = tenant.client().get("/dashboard/").content.decode()
    assert f"--on-brand: {DARK_TEXT}" in body
