from arhub.locales import (
    country_choices,
    currency_choices,
    currency_minor_units,
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


def test_secrets_are_random_prefixed_and_hashed():
    a, b = new_secret("arh"), new_secret("arh")
    assert a != b and a.startswith("arh_") and len(a) > 40
    assert hash_secret(a) == hash_secret(a) != hash_secret(b)
    assert len(hash_secret(a)) == 64
