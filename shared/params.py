"""The request parameters every route takes: page offsets and sizes, and path ids
checked by pattern. FastAPI types (the HTTP adapter's), beside ``shared.text``'s plain
text types."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

Offset = Annotated[int, Query(ge=0, description="跳过的条数 / rows to skip")]
Limit = Annotated[int, Query(ge=1, le=200, description="每页条数 / rows per page")]

# Every id in a path is plain ASCII (generated ids, agency codes, ballot tokens): checked
# at the route, so NUL, CR, a slash or ``..`` never reaches a state file, a log line or
# a backend URL.
ID_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9._:-]{0,127}$"
IdPath = Annotated[
    str,
    Path(
        pattern=ID_PATTERN,
        max_length=128,
        description="标识：字母、数字与 ._:- / an id: letters, digits and ._:-",
    ),
]
RegionPath = Annotated[
    str, Path(pattern=r"^\d{6}$", description="GB/T 2260 地区代码 / region code")
]
