"""/api/v1/licensing: 专利开放许可与专利开源."""

from ninja import Router

router = Router(tags=["licensing"])
