"""/api/v1/alliances: 创新联合体."""

from ninja import Router

router = Router(tags=["alliances"])
