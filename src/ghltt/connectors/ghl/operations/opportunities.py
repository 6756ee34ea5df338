"""Opportunities and pipelines (apps/opportunities.json): all 12 operations."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ghltt.connectors.ghl.models import GhlModel, InputModel, Timestamp
from ghltt.connectors.ghl.operation import declare
from ghltt.connectors.ghl.operations import _sample as s

__all__ = ["OPERATIONS", "Opportunity", "Pipeline"]

_R, _W = "opportunities.readonly", "opportunities.write"


class Opportunity(GhlModel):
    id: str
    name: str | None = None
    monetary_value: float | None = None
    pipeline_id: str | None = None
    pipeline_stage_id: str | None = None
    assigned_to: str | None = None
    status: str | None = None
    source: str | None = None
    contact_id: str | None = None
    location_id: str | None = None
    followers: list[str] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Pipeline(GhlModel):
    id: str
    name: str | None = None
    stages: list[dict[str, Any]] = Field(default_factory=list)
    location_id: str | None = None


class LostReason(GhlModel):
    id: str
    name: str | None = None


class OpportunityPage(GhlModel):
    opportunities: list[Opportunity] = Field(default_factory=list)
    meta: dict[str, Any] | None = None
    total: int | None = None


class OpportunityUpsert(GhlModel):
    opportunity: Opportunity
    new: bool


class OpportunityEdit(InputModel):
    name: str | None = None
    pipeline_id: str | None = None
    pipeline_stage_id: str | None = None
    status: str | None = None
    monetary_value: float | None = None
    assigned_to: str | None = None
    custom_fields: list[dict[str, Any]] | None = None


class OpportunityCreate(OpportunityEdit):
    pipeline_id: str
    name: str
    status: str
    contact_id: str


class OpportunityUpsertInput(OpportunityEdit):
    pipeline_id: str
    id: str | None = None
    contact_id: str | None = None
    lost_reason_id: str | None = None


class OpportunitySearch(InputModel):
    """GET /opportunities/search spells its query in snake_case."""

    q: str | None = None
    pipeline_id: str | None = Field(default=None, alias="pipeline_id")
    pipeline_stage_id: str | None = Field(default=None, alias="pipeline_stage_id")
    contact_id: str | None = Field(default=None, alias="contact_id")
    status: str | None = None
    assigned_to: str | None = Field(default=None, alias="assigned_to")
    limit: int | None = None
    page: int | None = None


class OpportunitySearchBody(InputModel):
    query: str | None = None
    limit: int | None = None
    page: int | None = None


class StatusInput(InputModel):
    status: str
    lost_reason_id: str | None = None


class FollowersInput(InputModel):
    followers: list[str]


class FollowersAnswer(GhlModel):
    followers: list[str] = Field(default_factory=list)
    followers_added: list[str] | None = None
    followers_removed: list[str] | None = None


class LostReasonQuery(InputModel):
    name: str | None = None
    limit: int | None = None


_ONE: dict[str, Any] = {"output": Opportunity, "unwrap": "opportunity"}
_ID = {"id": s.OPPORTUNITY}

OPERATIONS = (
    declare(
        "opportunities.search",
        "GET",
        "/opportunities/search",
        _R,
        input=OpportunitySearch,
        output=OpportunityPage,
        location_as="location_id",
        summary="Search a location's opportunities by pipeline, stage, contact or status",
        example={"pipeline_id": s.PIPELINE, "status": "open"},
    ),
    declare(
        "opportunities.search_advanced",
        "POST",
        "/opportunities/search",
        _R,
        idem=True,
        input=OpportunitySearchBody,
        output=OpportunityPage,
        location=True,
        summary="Search opportunities by free text",
        example={"query": "retainer", "limit": 10},
    ),
    declare(
        "opportunities.get",
        "GET",
        "/opportunities/{id}",
        _R,
        **_ONE,
        summary="Read one opportunity",
        example=_ID,
    ),
    declare(
        "opportunities.create",
        "POST",
        "/opportunities/",
        _W,
        idem=False,
        input=OpportunityCreate,
        **_ONE,
        location=True,
        summary="Create an opportunity for a contact in a pipeline",
        example={
            "pipelineId": s.PIPELINE,
            "name": "Website redesign",
            "status": "open",
            "contactId": s.CONTACT,
            "monetaryValue": 2400,
        },
    ),
    declare(
        "opportunities.update",
        "PUT",
        "/opportunities/{id}",
        _W,
        input=OpportunityEdit,
        **_ONE,
        summary="Change an opportunity's name, stage, status, value or owner",
        example={**_ID, "pipelineStageId": s.WON_STAGE, "monetaryValue": 3000},
    ),
    declare(
        "opportunities.set_status",
        "PUT",
        "/opportunities/{id}/status",
        _W,
        input=StatusInput,
        output=bool,
        summary="Mark an opportunity open, won, lost or abandoned",
        example={**_ID, "status": "won"},
    ),
    declare(
        "opportunities.upsert",
        "POST",
        "/opportunities/upsert",
        _W,
        idem=True,
        input=OpportunityUpsertInput,
        output=OpportunityUpsert,
        location=True,
        summary="Create or update a contact's opportunity in a pipeline",
        example={
            "pipelineId": s.PIPELINE,
            "contactId": s.CONTACT,
            "status": "open",
            "name": "Ava Thompson retainer",
        },
    ),
    declare(
        "opportunities.delete",
        "DELETE",
        "/opportunities/{id}",
        _W,
        output=bool,
        summary="Delete an opportunity",
        example=_ID,
    ),
    declare(
        "opportunities.add_followers",
        "POST",
        "/opportunities/{id}/followers",
        _W,
        idem=True,
        input=FollowersInput,
        output=FollowersAnswer,
        summary="Add users as followers of an opportunity",
        example={**_ID, "followers": [s.USER]},
    ),
    declare(
        "opportunities.remove_followers",
        "DELETE",
        "/opportunities/{id}/followers",
        _W,
        input=FollowersInput,
        output=FollowersAnswer,
        summary="Remove followers from an opportunity",
        example={**_ID, "followers": [s.USER]},
    ),
    declare(
        "pipelines.list",
        "GET",
        "/opportunities/pipelines",
        _R,
        output=list[Pipeline],
        unwrap="pipelines",
        location=True,
        summary="List a location's pipelines and their stages",
        example={},
    ),
    declare(
        "lost_reasons.list",
        "GET",
        "/opportunities/lost-reason",
        _R,
        input=LostReasonQuery,
        output=list[LostReason],
        unwrap="lostReasons",
        location=True,
        summary="List the reasons an opportunity can be lost",
        example={},
    ),
)
