"""/api/v1/pools: 重点领域专利池."""

from ninja import Router

router = Router(tags=["pools"])
