"""/api/v1/search: patent search (hits + facets) and IPC suggestion."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from ipoc.core.bounds import BoundedDate
from ipoc.search import selectors

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = ""
    limit: int = Field(10, ge=1, le=selectors.MAX_LIMIT)
    offset: int = Field(0, ge=0, le=selectors.MAX_OFFSET)
    facets: bool = True
    snippets: bool = True
    patent_type: str = ""
    legal_status: list[str] = Field(default_factory=list)
    ipc: str = ""
    applicant: str = ""
    applicant_type: str = ""
    region: str = ""
    jurisdiction: str = ""
    application_date_from: BoundedDate | None = None
    application_date_to: BoundedDate | None = None
    publication_date_from: BoundedDate | None = None
    publication_date_to: BoundedDate | None = None
    grant_date_from: BoundedDate | None = None
    grant_date_to: BoundedDate | None = None


class HitRead(Schema):
    rank: int
    id: int
    key: str
    number: str
    title: str
    score: float
    applicants: list[str]
    ipc: list[str]
    legal_status: str
    application_date: dt.date | None
    snippets: dict[str, str]
    matched_terms: list[str]
    lexical_rank: int | None
    dense_rank: int | None


class FacetValue(Schema):
    value: str
    count: int


class SearchResult(Schema):
    q: str
    total: int
    offset: int
    limit: int
    hits: list[HitRead]
    facets: dict[str, list[FacetValue]]


class IpcSuggestIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)
    top: int = Field(5, ge=1, le=50)


class IpcCode(Schema):
    code: str
    score: float


class IpcSuggestOut(Schema):
    ipc: list[IpcCode]


def facets_out(facets: dict) -> dict:
    return {name: [{"value": v, "count": c} for v, c in values] for name, values in facets.items()}


@router.get("/patents", response=SearchResult, summary="专利检索（关键词 + 语义，含高亮片段与分面统计）")
def search_patents(request, params: Query[SearchQuery]):
    data = params.dict()
    controls = {k: data.pop(k) for k in ("q", "limit", "offset", "facets", "snippets")}
    page = selectors.search_patents(user=request.auth, filters=data, **controls)
    return {"q": controls["q"], "total": page.total, "offset": controls["offset"], "limit": controls["limit"],
            "hits": selectors.describe_hits(page.hits), "facets": facets_out(page.facets)}


@router.post("/ipc-suggest", response=IpcSuggestOut, summary="IPC 小类推荐")
def ipc_suggest(request, payload: IpcSuggestIn):
    return {"ipc": [{"code": c, "score": s} for c, s in selectors.suggest_ipc(text=payload.text, top=payload.top)]}
