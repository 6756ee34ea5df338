"""Recipe YAML under property-based fire: whatever the text, loading it never raises anything
but ``Invalid``, and every problem names the file and, where the text has lines, the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ghltt.cli.main import app as cli
from ghltt.engine.catalog import action_catalog
from ghltt.engine.recipes.loader import check_recipe_text
from ghltt.engine.recipes.templates import template_names, template_text

FILE = "fuzzed.yaml"
FUZZ = settings(max_examples=150, deadline=None, database=None, derandomize=True)
CATALOG = action_catalog()
TEMPLATE_LINES = {name: template_text(name).splitlines() for name in sorted(template_names())}
_scalars = st.one_of(
    st.just(""), st.just("~"), st.just("[]"), st.just("{}"), st.just("{{ nope }}"),
    st.just("!!python/object:os.system x"), st.just("*alias"), st.just("&a [*a]"),
    st.integers().map(str), st.text(max_size=30),
)  # fmt: skip


@st.composite
def mutated_templates(draw: st.DrawFn) -> str:
    """A shipped template with a few lines deleted, replaced, duplicated or re-indented."""
    lines = list(TEMPLATE_LINES[draw(st.sampled_from(sorted(TEMPLATE_LINES)))])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "value", "duplicate", "indent", "garbage"]))
        if how == "delete":
            del lines[at]
        elif how == "value" and ":" in lines[at]:
            lines[at] = lines[at].split(":", 1)[0] + ": " + draw(_scalars)
        elif how == "duplicate":
            lines.insert(at, lines[at])
        elif how == "indent":
            lines[at] = " " * draw(st.integers(0, 7)) + lines[at].lstrip()
        else:
            lines[at] = draw(st.text(max_size=40))
    return "\n".join(lines)


def _assert_explained(text: str) -> None:
    recipe, problems = check_recipe_text(text, CATALOG, file=FILE)
    assert recipe is not None or problems
    for problem in problems:
        assert problem.file == FILE and problem.message
        if text.strip():
            assert problem.line is not None and problem.line >= 1, problem


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_is_a_recipe_or_problems_with_file_and_line(text: str) -> None:
    _assert_explained(text)


@FUZZ
@given(text=mutated_templates())
def test_a_damaged_template_is_a_recipe_or_problems_with_file_and_line(text: str) -> None:
    _assert_explained(text)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=mutated_templates())
def test_recipes_validate_never_shows_a_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["recipes", "validate", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code:
        assert f"{FILE}:" in result.output, result.output


pytestmark = pytest.mark.filterwarnings("ignore")
