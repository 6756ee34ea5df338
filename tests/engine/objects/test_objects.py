"""The object types: what the sync reads from them instead of naming types."""

from __future__ import annotations

from ghltt.engine.catalog import action_catalog
from ghltt.engine.objects import ADDRESS_KEYS, ANSWERS_WITH_RECORD, OBJECTS, names


def test_each_type_is_known_by_its_system_and_name() -> None:
    assert names("ghl") == ["appointment", "contact", "note", "task"]
    assert names("tt") == ["customer", "event", "project", "task", "user"]
    assert all(key == o.type for key, o in OBJECTS.items())


def test_records_are_addressed_by_their_id_and_under_their_contact() -> None:
    assert OBJECTS["tt.customer"].address("7") == {"id": 7}
    assert OBJECTS["ghl.contact"].address("c1") == {"contactId": "c1"}
    assert OBJECTS["ghl.task"].address("t1", "c1") == {"taskId": "t1", "contactId": "c1"}
    assert OBJECTS["ghl.note"].address(None, "c1") == {"contactId": "c1"}  # a note to create
    # An appointment names its contact as a field of its own.
    assert OBJECTS["ghl.appointment"].address("e1", "c1") == {"eventId": "e1"}
    assert {"id", "contactId", "taskId", "noteId", "eventId"} == ADDRESS_KEYS


def test_writes_answering_with_the_record() -> None:
    assert {
        "ghl.contacts.upsert",
        "ghl.contacts.update",
        "ghl.tasks.create",
        "ghl.tasks.update",
        "ghl.notes.create",
        "ghl.notes.update",
        "tt.customers.add",
        "tt.customers.update",
        "tt.tasks.add",
        "tt.tasks.update",
        "tt.events.add",
        "tt.events.update",
    } == ANSWERS_WITH_RECORD


def test_what_tt_wants_on_every_update_and_its_third_party_markers() -> None:
    always = {o.type: o.always_sent for o in OBJECTS.values() if o.always_sent}
    assert always == {
        "tt.customer": ("name",),
        "tt.event": ("start", "end", "duration", "timezone"),
    }
    marked = {o.name: o.third_party for o in OBJECTS.values() if o.third_party}
    assert marked == {
        "customer": "CUSTOMER",
        "project": "PROJECT",
        "task": "TASK",
        "event": "EVENT",
    }


def test_the_actions_of_every_type_are_in_the_catalog() -> None:
    catalog = action_catalog()
    for key, obj in OBJECTS.items():
        assert set(obj.actions()) <= set(catalog), key
        for name in (obj.create, obj.update):
            assert catalog[name].object_type == key, name
            assert catalog[name].custom_fields is obj.custom_fields, name
