"""Property tests: the guarantees the runner leans on (determinism, stable fingerprints)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ghltt.engine.mapping import MappingContext, compile_mapping, fingerprint, to_e164
from ghltt.engine.mapping.phone import PhoneError
from ghltt.engine.mapping.timefmt import format_datetime, parse_datetime, zone

json_scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
records = st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=8)


@given(records)
def test_fingerprint_stable_under_key_order(values: dict[str, Any]) -> None:
    reordered = dict(reversed(list(values.items())))
    assert fingerprint(values) == fingerprint(reordered)


MAPPING = compile_mapping(
    {
        "name": {"from": ["first", "last"], "transforms": ["join"]},
        "email": {"from": "email", "transforms": ["lower"]},
        "tag": {"jmespath": "tags[0]"},
        "note": {"template": "{{ first | default('') }}/{{ last | default('') }}"},
    }
)
people = st.fixed_dictionaries(
    {},
    optional={
        "first": st.text(max_size=10),
        "last": st.text(max_size=10),
        "email": st.text(max_size=20),
        "tags": st.lists(st.text(max_size=5), max_size=3),
    },
)


@given(people)
def test_apply_is_deterministic(record: dict[str, Any]) -> None:
    ctx = MappingContext()
    first, second = MAPPING.apply(record, ctx), MAPPING.apply(dict(record), ctx)
    assert first.values == second.values
    assert first.fingerprint == second.fingerprint


LOWER = compile_mapping({"v": {"from": "v", "transforms": ["lower"]}})


@given(st.text())
def test_lower_is_idempotent(text: str) -> None:
    once = LOWER.apply({"v": text}).values.get("v")
    twice = LOWER.apply({"v": once}).values.get("v")
    assert once == twice


phones = st.text(alphabet="0123456789 -().+", min_size=1, max_size=20)


@given(phones, st.sampled_from([None, "1", "44", "39", "49"]))
def test_phone_normalisation_is_idempotent(raw: str, country: str | None) -> None:
    try:
        first = to_e164(raw, country)
    except PhoneError:
        return
    assert first.startswith("+") and first[1:].isdigit() and 9 <= len(first) <= 16
    assert to_e164(first, country) == first
    assert to_e164(first) == first


ZONES = ["Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


@settings(max_examples=200)
@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(ZONES),
)
def test_time_zone_round_trip(moment: datetime, name: str) -> None:
    moment = moment.replace(microsecond=0)
    local = moment.astimezone(zone(name))
    # Offsets in the text: exact round trip through any zone.
    assert parse_datetime(format_datetime(local, "iso")) == moment
    # TT wall-clock text plus the zone: exact unless the wall time is ambiguous (DST end).
    wall = format_datetime(local, "tt")
    back = parse_datetime(wall, zone(name))
    assert back == moment or abs(back - moment) <= timedelta(hours=1)
