"""/api/v1/industrialization: 专利产业化."""

from ninja import Router

router = Router(tags=["industrialization"])
