"""Request bodies: JSON whose errors a person can act on, and no body that can crash us."""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            # json.loads recurses once per level: thousands of "[" would be a 500.
            raise ParseError("The request body is nested too deeply to read.") from exc
        except ParseError as exc:
            # DRF says "JSON parse error - Expecting value: line 1 column 1 (char 0)".
            reason = str(exc.detail).removeprefix("JSON parse error - ")
            raise ParseError(
                f"The request body is not valid JSON ({reason}). Send a JSON object such as "
                '{"title": "..."} with the header Content-Type: application/json.'
            ) from exc
