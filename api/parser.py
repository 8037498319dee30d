"""The request body parser: JSON only, and only when declared as such."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from .errors import UnsupportedMediaType


class StrictJsonParser(Parser):
    """Refuses bodies not sent as application/json (415) before reading them."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        """The JSON body; UnsupportedMediaType for any other content type."""
        if request.content_type != "application/json":
            raise UnsupportedMediaType(
                f"send the body as application/json, not {request.content_type or 'nothing'}"
            )
        return super().parse_body(request)
