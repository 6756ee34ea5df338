"""JSON responses rendered with orjson (datetimes, dataclasses and speed included)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSON


class JSONResponse(StarletteJSON):
    """A JSON response (a subclass, so the OpenAPI document shows routes' response models)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
