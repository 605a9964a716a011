"""Routes that ask a service to act: ``POST`` a path whose ids, request body fields and
dependencies are the keyword arguments of one application handler, answered with a
view of what the handler returns. One declaration a route, where a function would
only pass its own parameters on."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from shared.params import IdPath

_ID = re.compile(r"{(\w+)}")


def post_action(
    router: APIRouter,
    path: str,
    handler: Callable[..., Awaitable[Any]],
    *,
    summary: str,
    response_model: type[BaseModel],
    view: Callable[[Any], BaseModel],
    depends: Mapping[str, Any],
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    status_code: int | None = None,
    name: str | None = None,
) -> None:
    """Declare ``POST path`` on ``router``. ``handler`` is called with the ids in
    ``path`` (each checked as ``IdPath``), the fields of the request ``body`` and the
    ``depends`` (name: annotated dependency, in order) as keyword arguments; the answer
    is ``view`` of what it returns. A required body comes before the dependencies, an
    optional one (``body_required=False``) after them, as it must in a function. The
    route's name, and so its OpenAPI operation, is the handler's unless ``name``."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    ids = [inspect.Parameter(id_name, keyword, annotation=IdPath) for id_name in _ID.findall(path)]
    given = [
        inspect.Parameter(dependency, keyword, annotation=annotation)
        for dependency, annotation in depends.items()
    ]
    requested = []
    if body is not None:
        requested.append(
            inspect.Parameter("body", keyword, annotation=body)
            if body_required
            else inspect.Parameter("body", keyword, annotation=body | None, default=None)
        )
    parameters = [*ids, *requested, *given] if body_required else [*ids, *given, *requested]

    async def endpoint(**values: Any) -> BaseModel:
        request = values.pop("body", None)
        fields = dict(request) if request is not None else {}
        return view(await handler(**values, **fields))

    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    router.post(
        path,
        response_model=response_model,
        status_code=status_code,
        summary=summary,
        name=name or handler.__name__,
    )(endpoint)
