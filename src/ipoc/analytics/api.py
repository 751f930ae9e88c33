"""/api/v1/analytics: 专利导航与分析."""

from ninja import Router

router = Router(tags=["analytics"])
