"""Custom objects, their records, associations and relations (apps/objects.json,
apps/associations.json)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ghltt.connectors.ghl.models import GhlModel, InputModel, Timestamp
from ghltt.connectors.ghl.operation import declare
from ghltt.connectors.ghl.operations import _sample as s

__all__ = ["OPERATIONS"]

_SR, _SW = "objects/schema.readonly", "objects/schema.write"
_RR, _RW = "objects/record.readonly", "objects/record.write"
_AR, _AW = "associations.readonly", "associations.write"
_LR, _LW = "associations/relation.readonly", "associations/relation.write"


class ObjectSchema(GhlModel):
    id: str
    key: str | None = None
    labels: dict[str, Any] | None = None
    description: str | None = None
    standard: bool | None = None
    primary_display_property: str | None = None


class ObjectAnswer(GhlModel):
    object: ObjectSchema
    fields: list[dict[str, Any]] | None = None


class ObjectCreate(InputModel):
    key: str
    labels: dict[str, Any]
    primary_display_property_details: dict[str, Any]
    description: str | None = None


class ObjectEdit(InputModel):
    searchable_properties: list[str]
    labels: dict[str, Any] | None = None
    description: str | None = None


class ObjectRecord(GhlModel):
    id: str
    properties: dict[str, Any] = Field(default_factory=dict)
    owner: list[str] | None = None
    followers: list[str] | None = None
    object_key: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class RecordInput(InputModel):
    properties: dict[str, Any] | None = None
    owner: list[str] | None = None
    followers: list[str] | None = None


class RecordSearch(InputModel):
    query: str | None = None
    page: int | None = None
    page_limit: int | None = None


class RecordPage(GhlModel):
    records: list[ObjectRecord] = Field(default_factory=list)
    total: int | None = None


class RecordDeleted(GhlModel):
    id: str | None = None
    success: bool | None = None


class Association(GhlModel):
    id: str
    key: str | None = None
    association_type: str | None = None
    first_object_key: str | None = None
    first_object_label: Any = None
    second_object_key: str | None = None
    second_object_label: Any = None


class AssociationCreate(InputModel):
    key: str
    first_object_key: str
    first_object_label: str
    second_object_key: str
    second_object_label: str


class AssociationEdit(InputModel):
    first_object_label: str
    second_object_label: str


class AssociationDeleted(GhlModel):
    deleted: bool | None = None
    id: str | None = None


class Paging(InputModel):
    skip: int = 0
    limit: int = 100


class RelationsQuery(Paging):
    association_ids: str | None = None


class Relation(GhlModel):
    id: str
    association_id: str | None = None
    first_record_id: str | None = None
    second_record_id: str | None = None
    first_object_key: str | None = None
    second_object_key: str | None = None


class RelationCreate(InputModel):
    association_id: str
    first_record_id: str
    second_record_id: str


class RelationPage(GhlModel):
    relations: list[Relation] = Field(default_factory=list)
    total: int | None = None


_OBJ = {"key": s.OBJECT_KEY}
_REC = {"schemaKey": s.OBJECT_KEY, "id": s.RECORD}
_ASSOC = {"associationId": s.ASSOCIATION}
_RECORD: dict[str, Any] = {"output": ObjectRecord, "unwrap": "record"}

OPERATIONS = (
    declare(
        "objects.list",
        "GET",
        "/objects/",
        _SR,
        output=list[ObjectSchema],
        unwrap="objects",
        location=True,
        summary="List the location's custom and standard objects",
        example={},
    ),
    declare(
        "objects.get",
        "GET",
        "/objects/{key}",
        _SR,
        output=ObjectAnswer,
        location=True,
        summary="Read an object's schema and fields",
        example=_OBJ,
    ),
    declare(
        "objects.create",
        "POST",
        "/objects/",
        _SW,
        idem=False,
        input=ObjectCreate,
        output=ObjectAnswer,
        location=True,
        summary="Create a custom object",
        example={
            "key": "custom_objects.projects",
            "labels": {"singular": "Project", "plural": "Projects"},
            "primaryDisplayPropertyDetails": {
                "key": "custom_objects.projects.name",
                "name": "Name",
                "dataType": "TEXT",
            },
        },
    ),
    declare(
        "objects.update",
        "PUT",
        "/objects/{key}",
        _SW,
        input=ObjectEdit,
        output=ObjectAnswer,
        location=True,
        summary="Change a custom object's labels or searchable properties",
        example={
            **_OBJ,
            "searchableProperties": ["custom_objects.pets.name"],
            "description": "Pets of our patients",
        },
    ),
    declare(
        "object_records.get",
        "GET",
        "/objects/{schemaKey}/records/{id}",
        _RR,
        **_RECORD,
        summary="Read one record of an object",
        example=_REC,
    ),
    declare(
        "object_records.create",
        "POST",
        "/objects/{schemaKey}/records",
        _RW,
        idem=False,
        input=RecordInput,
        **_RECORD,
        location=True,
        summary="Create a record of an object",
        example={"schemaKey": s.OBJECT_KEY, "properties": {"name": "Milo", "species": "cat"}},
    ),
    declare(
        "object_records.update",
        "PUT",
        "/objects/{schemaKey}/records/{id}",
        _RW,
        input=RecordInput,
        **_RECORD,
        location=True,
        query=("locationId",),
        summary="Change a record's properties",
        example={**_REC, "properties": {"species": "dog", "age": 4}},
    ),
    declare(
        "object_records.delete",
        "DELETE",
        "/objects/{schemaKey}/records/{id}",
        _RW,
        output=RecordDeleted,
        summary="Delete a record",
        example=_REC,
    ),
    declare(
        "object_records.search",
        "POST",
        "/objects/{schemaKey}/records/search",
        _RR,
        idem=True,
        input=RecordSearch,
        output=RecordPage,
        location=True,
        summary="Search an object's records",
        example={"schemaKey": s.OBJECT_KEY, "query": "rex", "page": 1, "pageLimit": 10},
    ),
    declare(
        "associations.list",
        "GET",
        "/associations/",
        _AR,
        input=Paging,
        output=list[Association],
        unwrap="associations",
        location=True,
        summary="List the location's associations",
        example={"skip": 0, "limit": 20},
    ),
    declare(
        "associations.get",
        "GET",
        "/associations/{associationId}",
        _AR,
        output=Association,
        summary="Read one association",
        example=_ASSOC,
    ),
    declare(
        "associations.get_by_key",
        "GET",
        "/associations/key/{key_name}",
        _AR,
        output=Association,
        location=True,
        summary="Read an association by its key",
        example={"key_name": s.ASSOCIATION_KEY},
    ),
    declare(
        "associations.by_object",
        "GET",
        "/associations/objectKey/{objectKey}",
        _AR,
        output=list[Association],
        unwrap="associations",
        location=True,
        summary="List the associations an object takes part in",
        example={"objectKey": s.OBJECT_KEY},
    ),
    declare(
        "associations.create",
        "POST",
        "/associations/",
        _AW,
        idem=False,
        input=AssociationCreate,
        output=Association,
        location=True,
        summary="Create an association between two objects",
        example={
            "key": "pet_vet",
            "firstObjectKey": s.OBJECT_KEY,
            "firstObjectLabel": "Pet",
            "secondObjectKey": "contact",
            "secondObjectLabel": "Vet",
        },
    ),
    declare(
        "associations.update",
        "PUT",
        "/associations/{associationId}",
        _AW,
        input=AssociationEdit,
        output=Association,
        summary="Relabel an association",
        example={**_ASSOC, "firstObjectLabel": "Pet", "secondObjectLabel": "Owner"},
    ),
    declare(
        "associations.delete",
        "DELETE",
        "/associations/{associationId}",
        _AW,
        output=AssociationDeleted,
        summary="Delete an association and its relations",
        example=_ASSOC,
    ),
    declare(
        "relations.list",
        "GET",
        "/associations/relations/{recordId}",
        _LR,
        input=RelationsQuery,
        output=RelationPage,
        location=True,
        summary="List the relations of a record",
        example={"recordId": s.RECORD},
    ),
    declare(
        "relations.create",
        "POST",
        "/associations/relations",
        _LW,
        idem=False,
        input=RelationCreate,
        output=Relation,
        location=True,
        summary="Relate two records through an association",
        example={
            "associationId": s.ASSOCIATION,
            "firstRecordId": s.RECORD,
            "secondRecordId": s.OTHER_CONTACT,
        },
    ),
    declare(
        "relations.delete",
        "DELETE",
        "/associations/relations/{relationId}",
        _LW,
        output=Relation,
        location=True,
        query=("locationId",),
        summary="Remove a relation",
        example={"relationId": s.RELATION},
    ),
)
