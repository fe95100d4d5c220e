"""The identity token the web app seals and the action server verifies."""
import datetime

import pytest

from groupinsurance import identity_token
from groupinsurance.demo_data import national_number
from groupinsurance.identity_token import InvalidToken, issue, verify

KEY = identity_token.derive_key("the tests' identity token secret, long enough")
OTHER_KEY = identity_token.derive_key("somebody else's secret, also long enough....")
NUMBER = national_number(datetime.date(1984, 5, 12), 117)
NOW = 1_800_000_000


def test_a_fresh_token_gives_back_the_number():
    assert verify(issue(NUMBER, KEY, now=NOW), KEY, now=NOW + 1) == NUMBER


def test_the_number_is_not_readable_in_the_token():
    # Rasa stores the metadata in its tracker store: the token must not show the number.
    token = issue(NUMBER, KEY, now=NOW)
    assert NUMBER not in token
    import base64

    for part in token.split("."):
        padded = part + "=" * (-len(part) % 4)
        assert NUMBER.encode() not in base64.urlsafe_b64decode(padded)


@pytest.mark.parametrize("token", [None, "", "not-a-token", "a.b.c.d.e", 42])
def test_missing_or_garbage_is_refused(token):
    with pytest.raises(InvalidToken):
        verify(token, KEY, now=NOW)


def test_a_token_sealed_with_another_key_is_refused():
    with pytest.raises(InvalidToken, match="not sealed with our key"):
        verify(issue(NUMBER, OTHER_KEY, now=NOW), KEY, now=NOW)


def test_a_token_changed_by_one_character_is_refused():
    token = issue(NUMBER, KEY, now=NOW)
    header, key, iv, ciphertext, tag = token.split(".")
    flipped = ciphertext[:5] + ("A" if ciphertext[5] != "A" else "B") + ciphertext[6:]
    with pytest.raises(InvalidToken):
        verify(".".join([header, key, iv, flipped, tag]), KEY, now=NOW)


def test_expiry_boundary_with_leeway():
    token = issue(NUMBER, KEY, ttl=60, now=NOW)
    last_second = NOW + 60 + identity_token.LEEWAY
    assert verify(token, KEY, now=last_second) == NUMBER
    with pytest.raises(InvalidToken, match="expired"):
        verify(token, KEY, now=last_second + 1)


def test_a_token_for_another_audience_is_refused():
    token = issue(NUMBER, KEY, audience="groupinsurance-web-session", now=NOW)
    with pytest.raises(InvalidToken, match="audience"):
        verify(token, KEY, now=NOW)
    assert verify(token, KEY, audience="groupinsurance-web-session", now=NOW) == NUMBER


def test_a_token_from_the_future_is_refused():
    with pytest.raises(InvalidToken, match="future"):
        verify(issue(NUMBER, KEY, now=NOW + 600), KEY, now=NOW)


def test_only_valid_numbers_can_be_sealed():
    with pytest.raises(identity_token.identifiers.ValidationError):
        issue("85073003329", KEY, now=NOW)


def test_secrets_must_be_long_enough():
    with pytest.raises(ValueError, match="32"):
        identity_token.derive_key("short")
