"""Notes of a contact (reference §4). Events: NoteCreate, NoteUpdate, NoteDelete."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.state import Record

READ, WRITE = "contacts.readonly", "contacts.write"
_FIELDS = {"userId": "str?", "body": "str", "title": "str?", "color": "str?", "pinned": "bool"}


def _note(ctx: Ctx, contact: Record) -> Record:
    note = ctx.sim.state.notes.get(ctx.params["id"])
    if note is None or note["contactId"] != contact["id"]:
        raise ApiError(400, f"Note with id {ctx.params['id']} not found")
    return note


@api(READ)
def list_notes(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    notes = sorted(
        ctx.sim.state.notes_of(contact["id"]), key=lambda n: (n["dateAdded"], n["id"]), reverse=True
    )
    return 200, {"notes": [views.note(n) for n in notes]}


@api(WRITE)
def create_note(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    data = validation.check(ctx.body, _FIELDS, ("body",))
    note: Record = {
        "id": ctx.sim.ids.alnum(),
        "contactId": contact["id"],
        "dateAdded": ctx.now(),
        "_locationId": contact["locationId"],
        **data,
    }
    if contact.get("businessId"):
        note["businessId"] = contact["businessId"]
    ctx.sim.state.notes[note["id"]] = note
    ctx.emit("NoteCreate", contact["locationId"], views.note_webhook(note))
    return 201, {"note": views.note(note)}


@api(READ)
def get_note(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    return 200, {"note": views.note(_note(ctx, contact))}


@api(WRITE)
def update_note(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    note = _note(ctx, contact)
    data = validation.check(ctx.body, _FIELDS)
    note.update(data)
    ctx.emit("NoteUpdate", contact["locationId"], views.note_webhook(note))
    return 200, {"note": views.note(note)}


@api(WRITE)
def delete_note(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    note = _note(ctx, contact)
    del ctx.sim.state.notes[note["id"]]
    ctx.emit("NoteDelete", contact["locationId"], views.note_webhook(note))
    return 200, {"succeded": True}


routes = [
    Route("/contacts/{contactId}/notes", list_notes, methods=["GET"]),
    Route("/contacts/{contactId}/notes", create_note, methods=["POST"]),
    Route("/contacts/{contactId}/notes/{id}", get_note, methods=["GET"]),
    Route("/contacts/{contactId}/notes/{id}", update_note, methods=["PUT"]),
    Route("/contacts/{contactId}/notes/{id}", delete_note, methods=["DELETE"]),
]
