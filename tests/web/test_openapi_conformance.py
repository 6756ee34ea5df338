"""ghltt's own API against its own OpenAPI document, driven by schemathesis with every check:
no 5xx, each status, content type, header and body as documented, a call without the token
refused with 401, and a request valid per the document accepted (2xx, or 404 for an id that
does not exist). Negative cases (invalid per the document) must be refused with a 4xx.

Where the document cannot say what the server checks (which bridge or template exists, which
connection kinds go with which system), the operation is named in ``SEMANTIC`` with why;
only the "valid requests are accepted" check is lifted there."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ghltt.settings import Settings, load_settings
from ghltt.store.tokens import token_file
from ghltt.web import create_app
from tests.support.server import serve_asgi

MAX_EXAMPLES = 5

SEMANTIC = {
    ("POST", "/api/events"): "a bridge must exist (its id is not in the document)",
    ("POST", "/api/connections"): "a GHL connection needs location_id and a pit or api_key kind",
    ("POST", "/api/recipes/validate"): "either template or text; the text must be a recipe",
    ("POST", "/api/bridges/{ref}/plan"): "either template or text; the text must be a recipe",
    ("POST", "/api/bridges/{ref}/recipes"): "either template or text; the text must be a recipe",
    ("PUT", "/api/bridges/{ref}/mode"): "apply_planned goes only with live",
    ("POST", "/api/imports"): "the recipe must be a shipped or enabled one",
    ("POST", "/oauth/ghl/start"): "GHL OAuth needs GHLTT_GHL_CLIENT_ID and _SECRET set",
    ("GET", "/oauth/ghl/callback"): "the state must be one ghltt issued (a 400 page otherwise)",
    # Ids may be given as any unique prefix; a prefix of several is refused naming them.
    ("GET", "/api/events/{event_id}"): "a short id prefix may name several events",
    ("GET", "/api/runs/{run_id}"): "a short id prefix may name several runs",
    ("POST", "/api/runs/{target}/replay"): "a short id prefix may name several runs",
}
# An SSE stream stays open while its import runs; only unknown ids are tried there.
STREAMS = {("GET", "/api/imports/{import_id}/events")}
FIGURES: Counter[str] = Counter()


def _settings(root: Path) -> Settings:
    return load_settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'ghltt.sqlite'}")


def _operations() -> list[Any]:
    with tempfile.TemporaryDirectory() as root:
        spec = create_app(_settings(Path(root)), with_executor=False).openapi()
    schema = schemathesis.openapi.from_dict(spec)
    return [
        pytest.param(op, id=f"{op.method.upper()} {op.path}")
        for op in (result.ok() for result in schema.get_all_operations())
    ]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    settings = _settings(tmp_path_factory.mktemp("openapi"))
    with serve_asgi(create_app(settings, with_executor=False)) as base:
        yield base, token_file(settings.data_dir).read_text().strip()


def _hypothesis() -> Any:
    return settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_api_is_what_its_openapi_says(operation: Any, server: tuple[str, str]) -> None:
    base, token = server
    key = (operation.method.upper(), operation.path)
    headers = {"Authorization": f"Bearer {token}"}
    excluded = [positive_data_acceptance] if key in SEMANTIC else []

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @_hypothesis()
    def positive(case: Any) -> None:
        if key in STREAMS:
            case.path_parameters = {"import_id": "imp_" + str(case.path_parameters)[:20]}
        response = case.call_and_validate(
            base_url=base, headers=headers, excluded_checks=excluded, timeout=10
        )
        FIGURES["examples"] += 1
        FIGURES[f"status {response.status_code}"] += 1

    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    @_hypothesis()
    def negative(case: Any) -> None:
        if key in STREAMS:
            return
        case.call_and_validate(base_url=base, headers=headers, timeout=10)
        FIGURES["examples"] += 1

    positive()
    try:
        negative()
    except Unsatisfiable:
        FIGURES["operations with nothing to make invalid"] += 1  # no parameters or body
    FIGURES["operations"] += 1


def test_figures() -> None:
    """Runs last: what was tried (``pytest -s`` shows it)."""
    for name, count in sorted(FIGURES.items()):
        print(f"{name}: {count}")
