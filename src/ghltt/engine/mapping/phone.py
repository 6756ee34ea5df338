"""E.164 phone numbers without a phone library: enough to normalise what people type.

Handles ``+`` and ``00`` international prefixes, spaces, dashes, dots, slashes, parentheses,
the ``(0)`` that Europeans write after their country code, and a default country calling code
for national numbers (dropping the national trunk ``0``, except in Italy where it is kept).
It rejects letters, extensions and lengths E.164 cannot have; it does not know every country's
numbering plan (NANP, ``+1``, is checked more closely because it is the common case).
"""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^\+?[0-9 \-().\/]+$")
_KEEP_TRUNK_ZERO = {"39"}  # Italy dials the leading 0 after +39.


class PhoneError(ValueError):
    pass


def to_e164(raw: object, default_country: str | None = None) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise PhoneError("a phone number must be text")
    text = str(raw).strip().replace("(0)", "")
    if not text:
        raise PhoneError("the phone number is empty")
    if not _ALLOWED.match(text):
        raise PhoneError("a phone number may hold only digits, spaces, + - . / ( )")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif default_country:
        number = _with_country(digits, default_country)
    else:
        raise PhoneError("the number has no country code (+...) and no default_country is set")
    return "+" + _checked(number)


def _with_country(national: str, country: str) -> str:
    if country == "1" and len(national) == 11 and national.startswith("1"):
        return national
    if national.startswith("0") and country not in _KEEP_TRUNK_ZERO:
        national = national[1:]
    return country + national


def _checked(number: str) -> str:
    if not number or number[0] == "0":
        raise PhoneError("a country calling code never starts with 0")
    if not 8 <= len(number) <= 15:
        raise PhoneError(f"an E.164 number has 8 to 15 digits, this one has {len(number)}")
    if number[0] == "1":
        if len(number) != 11:
            raise PhoneError("a +1 (NANP) number has 10 digits after the +1")
        if number[1] in "01" or number[4] in "01":
            raise PhoneError("a +1 (NANP) area code and exchange cannot start with 0 or 1")
    return number


def check_country_code(code: str) -> str:
    cleaned = code.strip().lstrip("+")
    if not (cleaned.isdigit() and 1 <= len(cleaned) <= 3 and cleaned[0] != "0"):
        raise ValueError(f"default_country must be a calling code like '1' or '44', not {code!r}")
    return cleaned
