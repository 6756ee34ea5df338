"""Read-only marketing lists: forms and their submissions, surveys and theirs, workflows and
campaigns (apps/forms.json, surveys.json, workflows.json, campaigns.json). Enrolling a contact
in a workflow or campaign is under contacts (``tags.py``)."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import views
from ghltt.sandbox.ghl.context import Ctx, Handler, Result, api
from ghltt.sandbox.ghl.errors import unprocessable
from ghltt.sandbox.ghl.state import Record


def _numbers(ctx: Ctx, *names: str, default: int) -> list[int]:
    try:
        return [int(ctx.query.get(n, str(default if n == "limit" else 0))) for n in names]
    except ValueError:
        raise unprocessable([f"{n} must be a number" for n in names]) from None


def _listing(rows_of: str, many: str, *, state_attr: bool = False) -> Handler:
    """A location's records of one kind, ``skip``/``limit`` paged, with their total."""

    def handler(ctx: Ctx) -> Result:
        location = ctx.location(ctx.query.get("locationId"))
        table = getattr(ctx.sim.state, rows_of) if state_attr else ctx.sim.state.tables[rows_of]
        rows = [views.public(r) for r in table.values() if r["locationId"] == location.id]
        if ctx.query.get("status"):
            rows = [r for r in rows if r.get("status") == ctx.query["status"]]
        skip, limit = _numbers(ctx, "skip", "limit", default=10)
        return 200, {many: rows[skip : skip + limit], "total": len(rows)}

    return handler


def _submissions(parent_key: str) -> Handler:
    def handler(ctx: Ctx) -> Result:
        location = ctx.location(ctx.query.get("locationId"))
        rows: list[Record] = [
            views.public(s)
            for s in ctx.sim.state.tables[f"{parent_key}Submissions"].values()
            if s["locationId"] == location.id
        ]
        wanted = ctx.query.get(f"{parent_key}Id")
        if wanted:
            rows = [r for r in rows if r[f"{parent_key}Id"] == wanted]
        if ctx.query.get("q"):
            words = ctx.query["q"].lower()
            rows = [r for r in rows if words in f"{r.get('name')} {r.get('email')}".lower()]
        # startAt/endAt are days (YYYY-MM-DD), both ends included; createdAt is ISO text.
        if ctx.query.get("startAt"):
            rows = [r for r in rows if str(r.get("createdAt"))[:10] >= ctx.query["startAt"]]
        if ctx.query.get("endAt"):
            rows = [r for r in rows if str(r.get("createdAt"))[:10] <= ctx.query["endAt"]]
        page, limit = _numbers(ctx, "page", "limit", default=20)
        page = max(page, 1)
        chunk = rows[(page - 1) * limit : page * limit]
        meta = {
            "total": len(rows), "currentPage": page,
            "nextPage": page + 1 if page * limit < len(rows) else None,
            "prevPage": page - 1 if page > 1 else None,
        }  # fmt: skip
        return 200, {"submissions": chunk, "meta": meta}

    return handler


def _workflows(ctx: Ctx) -> Result:
    status, body = _listing("workflows", "workflows", state_attr=True)(ctx)
    return status, {
        "workflows": [{"status": "published", "version": 1, **w} for w in body["workflows"]]
    }


def _campaigns(ctx: Ctx) -> Result:
    status, body = _listing("campaigns", "campaigns", state_attr=True)(ctx)
    return status, {"campaigns": [{"status": "published", **c} for c in body["campaigns"]]}


routes = [
    Route("/forms/", api("forms.readonly")(_listing("forms", "forms")), methods=["GET"]),
    Route("/forms/submissions", api("forms.readonly")(_submissions("form")), methods=["GET"]),
    Route("/surveys/", api("surveys.readonly")(_listing("surveys", "surveys")), methods=["GET"]),
    Route("/surveys/submissions", api("surveys.readonly")(_submissions("survey")), methods=["GET"]),
    Route("/workflows/", api("workflows.readonly")(_workflows), methods=["GET"]),
    Route("/campaigns/", api("campaigns.readonly")(_campaigns), methods=["GET"]),
]
