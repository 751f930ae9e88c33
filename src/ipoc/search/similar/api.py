"""/api/v1/patents/{id}/similar — mounted on the patents prefix as a second router (two path
segments, so it never collides with the patents router's one-segment ``/{patent_ref}``)."""

from __future__ import annotations

from ninja import Router

from ipoc.core.bounds import DbId
from ipoc.search import selectors
from ipoc.search.api import HitRead, Schema

router = Router(tags=["search"])


class SimilarResult(Schema):
    patent_id: int
    hits: list[HitRead]


@router.get("/{patent_id}/similar", response=SimilarResult, summary="相似专利")
def similar(request, patent_id: DbId, limit: int = 10):  # the index keeps ids as unsigned 64-bit
    hits = selectors.similar_patents(user=request.auth, patent_id=patent_id, limit=limit)
    return {"patent_id": patent_id, "hits": selectors.describe_hits(hits)}
