import pytest

from arhub.locales import (
    country_choices,
    country_codes_for,
    currency_choices,
    currency_minor_units,
    is_country,
    is_currency,
    is_timezone,
    locale_choices,
)
from arhub.secret_tokens import hash_secret, new_secret


def test_currencies_and_minor_units():
    codes = dict(currency_choices())
    assert "USD" in codes and "Euro" in codes["EUR"]
    assert (
        currency_minor_units("JPY"),
        currency_minor_units("USD"),
        currency_minor_units("KWD"),
    ) == (0, 2, 3)
    assert is_currency("GBP") and not is_currency("XYZ1")


def test_zones_countries_locales():
    assert is_timezone("America/Chicago") and not is_timezone("Mars/Olympus")
    assert ("GB", "United Kingdom") in country_choices()
    assert dict(locale_choices())["fr-CA"].startswith("French")


def test_countries_are_countries():
    codes = dict(country_choices())
    # CLDR's groupings and placeholders are no country to send an invoice to.
    for not_a_country in ("EU", "UN", "ZZ", "XA", "EZ", "QO", "XB"):
        assert not_a_country not in codes
        assert not is_country(not_a_country)
    assert is_country("GB") and is_country("XK")
    assert not is_country("gb")  # codes are stored upper case


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("GB", ("GB",)),
        ("gb", ("GB",)),
        ("GBR", ("GB",)),
        ("United Kingdom", ("GB",)),
        ("UK", ("GB",)),
        ("U.K.", ("GB",)),
        ("England", ("GB",)),
        ("United States", ("US",)),
        ("USA", ("US",)),
        ("U.S.A.", ("US",)),
        ("united states of america", ("US",)),
        ("España", ("ES",)),
        ("espana", ("ES",)),
        ("México", ("MX",)),
        ("The Netherlands", ("NL",)),
        ("Saint Kitts and Nevis", ("KN",)),  # CLDR: "St. Kitts & Nevis"
        ("C\u00f4te d\u2019Ivoire", ("CI",)),  # CLDR's, with its typographic apostrophe
        ("Cote d'Ivoire", ("CI",)),
        ("Burma", ("MM",)),  # CLDR: "Myanmar (Burma)"
        ("Hong Kong", ("HK",)),  # CLDR: "Hong Kong SAR China"
        ("China", ("CN",)),  # not Hong Kong's or Macao's "China"
        ("Atlantis", ()),
        ("European Union", ()),
        ("", ()),
    ],
)
def test_country_names_and_codes_are_read(text, codes):
    assert country_codes_for(text) == codes


def test_secrets_are_random_prefixed_and_hashed():
    a, b = new_secret("arh"), new_secret("arh")
    assert a != b and a.startswith("arh_") and len(a) > 40
    assert hash_secret(a) == hash_secret(a) != hash_secret(b)
    assert len(hash_secret(a)) == 64
