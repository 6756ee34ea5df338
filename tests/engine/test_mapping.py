from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ruamel.yaml import YAML

from ghltt.engine.mapping import (
    DictResolver,
    Invalid,
    MappingContext,
    MappingFailed,
    compile_mapping,
    fingerprint,
)

CTX = MappingContext(
    resolver=DictResolver({("ghl.contact", "contact.hours"): "cf_9", ("tt.customer", "ph"): "7"}),
    now=datetime(2026, 3, 29, 12, 0, tzinfo=UTC),
    vars={"tt_timezone": "Europe/Madrid", "country": "44"},
)


def yaml(text: str) -> object:
    return YAML().load(text)


def test_paths_transforms_and_provenance() -> None:
    mapping = compile_mapping(
        {
            "name": {"from": ["firstName", "lastName"], "transforms": ["join"]},
            "email": {"from": "email", "transforms": ["trim", "lower"]},
            "city": "address.city",
            "first_tag": "tags[0]",
            "source": {"value": "ghltt"},
        }
    )
    record = {
        "firstName": "Ann",
        "lastName": "Lee",
        "email": " Ann@X.COM ",
        "address": {"city": "Oslo"},
        "tags": ["vip"],
    }
    mapped = mapping.apply(record, CTX)
    assert mapped.values == {
        "name": "Ann Lee",
        "email": "ann@x.com",
        "city": "Oslo",
        "first_tag": "vip",
        "source": "ghltt",
    }
    prov = mapped.provenance["name"]
    assert prov.sources == ("firstName", "lastName")
    assert prov.transforms == ("join",)
    assert mapped.provenance["email"].transforms == ("trim", "lower")
    assert mapped.provenance["source"].kind == "value"
    assert mapping.reads == {"firstName", "lastName", "email", "address.city", "tags[0]"}


def test_missing_values_are_omitted_unless_asked() -> None:
    mapping = compile_mapping(
        {
            "a": "missing",
            "b": {"from": "missing", "if_none": "write"},
            "c": {"from": "x", "default": 0},
        }
    )
    assert mapping.apply({}, CTX).values == {"b": None, "c": 0}


def test_split_name_e164_and_value_map() -> None:
    mapping = compile_mapping(
        {
            "first": {"from": "name", "transforms": [{"split_name": "first"}]},
            "last": {"from": "name", "transforms": [{"split_name": "last"}]},
            "phone": {"from": "phone", "transforms": [{"e164": {"default_country": "1"}}]},
            "uk": {"from": "uk", "transforms": [{"e164": "$country"}]},
            "status": {"from": "s", "transforms": [{"map": {"booked": "confirmed", True: "yes"}}]},
            "other": {"from": "o", "transforms": [{"map": {"values": {"a": 1}, "default": 0}}]},
        }
    )
    mapped = mapping.apply(
        {
            "name": "Mary Ann Smith",
            "phone": "(415) 555-2671",
            "uk": "020 7946 0018",
            "s": "booked",
            "o": "z",
        },
        CTX,
    )
    assert mapped.values == {
        "first": "Mary Ann",
        "last": "Smith",
        "phone": "+14155552671",
        "uk": "+442079460018",
        "status": "confirmed",
        "other": 0,
    }


def test_dates_between_zones_are_dst_correct() -> None:
    mapping = compile_mapping(
        {
            "tt": {
                "from": "dueDate",
                "transforms": [
                    "parse_datetime",
                    {"convert_tz": "$tt_timezone"},
                    {"format_datetime": "tt"},
                ],
            },
            "back": {
                "from": "local",
                "transforms": [
                    {"parse_datetime": "Europe/Madrid"},
                    {"format_datetime": {"format": "iso", "tz": "UTC"}},
                ],
            },
            "offset": {
                "from": "local",
                "transforms": [{"parse_datetime": "Europe/Madrid"}, "gmt_offset"],
            },
        }
    )
    # 2026-03-29 is the day Madrid moves from +01:00 to +02:00.
    mapped = mapping.apply({"dueDate": "2026-03-29T00:30:00Z", "local": "2026-03-29 10:00:00"}, CTX)
    assert mapped.values["tt"] == "2026-03-29 01:30:00"
    assert mapped.values["back"] == "2026-03-29T08:00:00Z"
    assert mapped.values["offset"] == "GMT+02:00"


def test_naive_time_without_zone_fails_with_field() -> None:
    mapping = compile_mapping(
        {"when": {"from": "t", "transforms": ["parse_datetime"]}}, file="m.yaml"
    )
    with pytest.raises(MappingFailed) as caught:
        mapping.apply({"t": "2026-01-01 10:00:00"}, CTX)
    assert "m.yaml: when" in str(caught.value)
    assert "no offset" in str(caught.value)


def test_template_and_jmespath() -> None:
    mapping = compile_mapping(
        {
            "greeting": {"template": "Hi {{ firstName }} {{ lastName | default('') }}"},
            "hours": {
                "jmespath": "sum(events[].d)",
                "transforms": [{"divide": 3600}, {"round": 2}],
            },
            "shout": {"from": "firstName", "transforms": [{"template": "{{ value | upper }}!"}]},
        }
    )
    mapped = mapping.apply({"firstName": "Ann", "events": [{"d": 3600}, {"d": 1800}]}, CTX)
    assert mapped.values == {"greeting": "Hi Ann ", "hours": 1.5, "shout": "ANN!"}
    assert mapping.reads == {"firstName", "lastName", "events"}


def test_template_sandbox_refuses_unsafe_access() -> None:
    mapping = compile_mapping({"x": {"template": "{{ firstName.__class__.__mro__ }}"}})
    with pytest.raises(MappingFailed):
        mapping.apply({"firstName": "a"}, CTX)


def test_custom_fields_by_key_in_and_out() -> None:
    out = compile_mapping({"custom:contact.hours": "worked_hours"}, target_type="ghl.contact")
    mapped = out.apply({"worked_hours": 3.5}, CTX)
    assert mapped.values == {"custom:contact.hours": 3.5}
    assert mapped.payload() == {"customFields": [{"id": "cf_9", "field_value": 3.5}]}
    read = compile_mapping({"phone": "custom:ph"}, source_type="tt.customer")
    record = {"custom_fields": [{"id": 7, "value": "+15550001111"}]}
    assert read.apply(record, CTX).values == {"phone": "+15550001111"}
    assert read.affected_by(["custom_fields"])


def test_unknown_custom_key_is_an_error_naming_the_field() -> None:
    mapping = compile_mapping({"custom:nope": "x"}, target_type="ghl.contact", file="f.yaml")
    with pytest.raises(MappingFailed, match=r"f\.yaml: custom:nope.*'nope' has no id"):
        mapping.apply({"x": 1}, CTX)


def test_on_error_skip_records_why() -> None:
    mapping = compile_mapping({"phone": {"from": "p", "transforms": ["e164"], "on_error": "skip"}})
    mapped = mapping.apply({"p": "call me"}, CTX)
    assert mapped.values == {}
    assert "not a valid phone number" in mapped.skipped["phone"]


def test_affected_by() -> None:
    mapping = compile_mapping({"a": "contact.email", "b": "name"})
    assert mapping.affected_by(["contact"])
    assert mapping.affected_by(["contact.email"])
    assert not mapping.affected_by(["phone"])
    assert compile_mapping({"a": {"template": "{{ source.x }}"}}).affected_by(["y"])


def test_fingerprint_is_canonical() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1.0})
    assert fingerprint({"a": 1, "b": None}) == fingerprint({"a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


BAD = """\
email: {from: email, transforms: [lowr]}
phone:
  from: phone
  transforms:
    - e164: {default_country: 12345}
    - join: 5
due: {from: d, transforms: [{convert_tz: Mars/Base}]}
sel: {jmespath: "a[?"}
tpl: {template: "{{ a "}
bad: "a..b"
two: {from: a, value: 1}
fmt: {from: d, transforms: [{format_datetime: "nonsense"}]}
div: {from: d, transforms: [{divide: 0}]}
"""


def test_load_errors_name_file_line_and_field() -> None:
    with pytest.raises(Invalid) as caught:
        compile_mapping(yaml(BAD), file="map.yaml")
    lines = [str(p) for p in caught.value.problems]
    expected = [
        "map.yaml:1:35: email.transforms[0]: unknown transform 'lowr'; did you mean 'lower'?",
        "map.yaml:5:14: phone.transforms[0].e164.default_country:",
        "map.yaml:6:7: phone.transforms[1].join:",
        "map.yaml:7:30: due.transforms[0].convert_tz: convert_tz: unknown time zone 'Mars/Base'",
        "map.yaml:8:7: sel.jmespath: bad JMESPath expression",
        "map.yaml:9:7: tpl.template: bad template",
        "map.yaml:10:1: bad: 'a..b' is not a path",
        "map.yaml:11:1: two: give exactly one of from, value, template, jmespath",
        "map.yaml:12:30: fmt.transforms[0].format_datetime: format_datetime: format 'nonsense'",
        "map.yaml:13:30: div.transforms[0].divide: divide: must be a finite number",
    ]
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), line
    assert str(caught.value).startswith("map.yaml:1:35: email.transforms[0]: unknown transform")


def test_unknown_target_field_suggests() -> None:
    with pytest.raises(
        Invalid, match=r"unknown field of tt\.customer; did you mean 'contact_email'"
    ):
        compile_mapping(
            {"contact_emial": "email"}, target_type="tt.customer", target_fields=["contact_email"]
        )


def test_plain_dict_errors_still_name_file_and_field() -> None:
    with pytest.raises(Invalid) as caught:
        compile_mapping({"x": {"from": "a", "transforms": ["nope"]}}, file="inline")
    assert str(caught.value.problems[0]).startswith("inline: x.transforms[0]: unknown transform")
