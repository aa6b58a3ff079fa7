"""Secrets kept for an organization: encrypted under keys from the environment, readable after a
key rotation, and refused (never garbage) when tampered with or under a key we no longer have."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from arhub.secret_box import SecretUnreadable, secret_decrypt, secret_encrypt, secret_hint

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
KEY = "sk_test_arhub_secret_box_round_trip_4242"


@given(st.text(min_size=1, max_size=300))
@hypothesis_settings(max_examples=50, deadline=None)
def test_round_trip(plain: str) -> None:
    stored = secret_encrypt(plain)
    if len(plain) >= 8:  # a character or two may turn up in any base64 text by chance
        assert plain not in stored
    assert secret_decrypt(stored) == plain


def test_the_same_secret_encrypts_differently_each_time() -> None:
    # A fresh IV each time: two organizations with the same key cannot be matched up.
    assert secret_encrypt(KEY) != secret_encrypt(KEY)


def test_rotation_old_key_first_then_new_key_first(settings) -> None:
    settings.ENCRYPTION_KEYS = [OLD]
    under_old = secret_encrypt(KEY)

    settings.ENCRYPTION_KEYS = [OLD, NEW]
    assert secret_decrypt(under_old) == KEY
    still_old = secret_encrypt(KEY)

    # The new key goes first: new values are encrypted under it, old ones still read.
    settings.ENCRYPTION_KEYS = [NEW, OLD]
    under_new = secret_encrypt(KEY)
    assert secret_decrypt(under_old) == KEY
    assert secret_decrypt(still_old) == KEY
    assert secret_decrypt(under_new) == KEY

    # Once the old key is dropped, only what was re-saved under the new one reads.
    settings.ENCRYPTION_KEYS = [NEW]
    assert secret_decrypt(under_new) == KEY
    with pytest.raises(SecretUnreadable):
        secret_decrypt(under_old)


def test_a_tampered_value_is_refused() -> None:
    stored = secret_encrypt(KEY)
    flipped = stored[:30] + ("A" if stored[30] != "A" else "B") + stored[31:]
    with pytest.raises(SecretUnreadable) as caught:
        secret_decrypt(flipped)
    assert KEY not in str(caught.value)
    with pytest.raises(SecretUnreadable):
        secret_decrypt("not a fernet token at all")


def test_a_value_under_a_key_we_do_not_have_is_refused(settings) -> None:
    settings.ENCRYPTION_KEYS = [OLD]
    stored = secret_encrypt(KEY)
    settings.ENCRYPTION_KEYS = [NEW]
    with pytest.raises(SecretUnreadable):
        secret_decrypt(stored)


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"]])
def test_missing_or_bad_keys_stop_with_a_message_naming_the_setting(settings, keys) -> None:
    settings.ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match="ENCRYPTION_KEYS"):
        secret_encrypt(KEY)


def test_hint_is_the_last_four_characters_of_a_long_secret_only() -> None:
    assert secret_hint(KEY) == "4242"
    assert secret_hint("short") == ""
