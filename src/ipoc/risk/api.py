"""/api/v1/risk: 出口前风险预警与供应链合规排查."""

from ninja import Router

router = Router(tags=["risk"])
