"""Reading phone numbers and emails the way members give them.

A till clerk types ``138 1234 5678``; a mini-program sends ``+8613812345678``. Both are the
same member, so numbers are stored in E.164, and a number without a country code is read in
the chain's country: the territory of its time zone (Asia/Shanghai: CN), else the one
territory that uses its currency.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from babel.core import get_global

__all__ = ["chain_region", "normalised_email", "normalised_phone"]

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s.\x00-\x1f\x7f]+(\.[^@\s.\x00-\x1f\x7f]+)+$")


@cache
def _currency_territories() -> dict[str, list[str]]:
    territories: dict[str, list[str]] = {}
    for territory, currencies in get_global("territory_currencies").items():
        current = [c for c in currencies if c[2] is None and c[3]]  # (code, from, to, tender)
        for code, *_ in current:
            territories.setdefault(code, []).append(territory)
    return territories


@cache
def chain_region(timezone: str, currency: str) -> str | None:
    """The chain's country (ISO 3166 alpha-2), or ``None`` when neither says."""
    territory = get_global("zone_territories").get(timezone)
    if territory and territory != "001" and len(territory) == 2 and territory != "ZZ":
        return territory
    candidates = _currency_territories().get(currency, [])
    return candidates[0] if len(candidates) == 1 else None


def normalised_phone(raw: str, region: str | None) -> str:
    """The number in E.164; ``ValueError`` saying what is wrong with it."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            if raw.lstrip().startswith("+"):
                raise ValueError("unknown country code") from None
            raise ValueError("give the country code (+86...)") from None
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalised_email(raw: str) -> str:
    """The address lower-cased; ``ValueError`` if it is not one."""
    email = raw.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValueError("not an email address")
    return email
