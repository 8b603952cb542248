"""services.passwords: one length limit, and no password that is easy to guess."""
import pytest

from registry.services import ServiceError
from registry.services.passwords import (MAX_PASSWORD, MIN_PASSWORD, check_new_password,
                                         check_password)

REFUSED = [
    ("aaaaaaaaaaaa", "one letter repeated", "too easy to guess"),
    ("Password1234", "a common password with digits", "too easy to guess"),
    ("qwertyuiop12", "a keyboard row", "too easy to guess"),
    ("ministry2026!", "the product's own words", "too easy to guess"),
    ("sok.dara@ministry.example", "the officer's own address", "too easy to guess"),
    ("short", "under 12 characters", "at least 12"),
    ("x" * (MAX_PASSWORD + 1), "over the limit", "at most 128"),
]
ACCEPTED = [
    ("correct horse battery staple", "four unrelated words"),
    ("Mekong lotus kettle orbit", "another phrase"),
    ("ក្រុមហ៊ុនមេគង្គ ទន្លេ ផ្កាឈូក", "a Khmer phrase"),
    ("tg7#Lq2!vR9z", "twelve random characters"),
    (("mekong lotus kettle orbit granite violin harbour saffron tundra quartz pepper "
      "lantern meadow ribbon cobalt walnut falcon ember zz")[:128], "128 characters exactly"),
]


@pytest.mark.parametrize("password, why, message", REFUSED, ids=[r[1] for r in REFUSED])
def test_refused(password, why, message):
    with pytest.raises(ServiceError, match=message):
        check_new_password(password, "sok.dara@ministry.example")


@pytest.mark.parametrize("password, why", ACCEPTED, ids=[a[1] for a in ACCEPTED])
def test_accepted(password, why):
    assert MIN_PASSWORD <= len(password) <= MAX_PASSWORD
    check_new_password(password, "sok.dara@ministry.example")


def test_a_missing_account_is_never_a_match():
    assert not check_password(None, "an account that does not exist")
