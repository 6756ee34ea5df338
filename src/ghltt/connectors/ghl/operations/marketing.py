"""Forms, surveys and their submissions, workflows and campaigns (apps/forms.json,
surveys.json, workflows.json, campaigns.json): what a recipe reads to start from a submission or
to choose a workflow. Enrolling a contact is declared with the contacts (``catalog.py``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ghltt.connectors.ghl.models import GhlModel, InputModel, Timestamp
from ghltt.connectors.ghl.operation import declare
from ghltt.connectors.ghl.operations import _sample as s

__all__ = ["OPERATIONS"]


class Named(GhlModel):
    id: str
    name: str | None = None
    status: str | None = None


class Submission(GhlModel):
    id: str
    contact_id: str | None = None
    form_id: str | None = None
    survey_id: str | None = None
    name: str | None = None
    email: str | None = None
    created_at: Timestamp | None = None
    others: dict[str, Any] | None = None


class SubmissionPage(GhlModel):
    submissions: list[Submission] = Field(default_factory=list)
    meta: dict[str, Any] | None = None


class Paging(InputModel):
    skip: int | None = None
    limit: int | None = None


class FormSubmissionsQuery(InputModel):
    form_id: str | None = None
    q: str | None = None
    page: int | None = None
    limit: int | None = None
    # Submitted on or after / before these days (YYYY-MM-DD).
    start_at: str | None = None
    end_at: str | None = None


class SurveySubmissionsQuery(InputModel):
    survey_id: str | None = None
    q: str | None = None
    page: int | None = None
    limit: int | None = None
    # Submitted on or after / before these days (YYYY-MM-DD).
    start_at: str | None = None
    end_at: str | None = None


class CampaignQuery(InputModel):
    status: str | None = None


OPERATIONS = (
    declare(
        "forms.list",
        "GET",
        "/forms/",
        "forms.readonly",
        input=Paging,
        output=list[Named],
        unwrap="forms",
        location=True,
        summary="List the location's forms",
        example={},
    ),
    declare(
        "forms.submissions",
        "GET",
        "/forms/submissions",
        "forms.readonly",
        input=FormSubmissionsQuery,
        output=SubmissionPage,
        location=True,
        summary="List form submissions, optionally of one form",
        example={"formId": s.FORM, "limit": 20},
    ),
    declare(
        "surveys.list",
        "GET",
        "/surveys/",
        "surveys.readonly",
        input=Paging,
        output=list[Named],
        unwrap="surveys",
        location=True,
        summary="List the location's surveys",
        example={},
    ),
    declare(
        "surveys.submissions",
        "GET",
        "/surveys/submissions",
        "surveys.readonly",
        input=SurveySubmissionsQuery,
        output=SubmissionPage,
        location=True,
        summary="List survey submissions, optionally of one survey",
        example={"surveyId": s.SURVEY, "limit": 20},
    ),
    declare(
        "workflows.list",
        "GET",
        "/workflows/",
        "workflows.readonly",
        output=list[Named],
        unwrap="workflows",
        location=True,
        summary="List the location's workflows",
        example={},
    ),
    declare(
        "campaigns.list",
        "GET",
        "/campaigns/",
        "campaigns.readonly",
        input=CampaignQuery,
        output=list[Named],
        unwrap="campaigns",
        location=True,
        summary="List the location's campaigns",
        example={"status": "published"},
    ),
)
