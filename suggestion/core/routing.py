"""URL converters: what a URL may carry before anything reaches the database."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds


class IdConverter(IntegerConverter):
    """``<id:user_id>``: a row's id; a larger number is no page (404), not an
    error of the database."""

    def __init__(self, map: object, **kwargs: object) -> None:  # noqa: A002
        super().__init__(map, min=1, max=MAX_ID)  # type: ignore[arg-type]
