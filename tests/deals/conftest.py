"""Deals fixtures: patents, extra organisations and a helper that builds a deal up to a given stage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind
from ipoc.deals import services
from ipoc.patents.models import Patent


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def patents(db):
    return [Patent.objects.create(key=f"CN22000000{i}B", publication_number=f"CN22000000{i}B", title=f"交易专利{i}")
            for i in range(1, 4)]


@pytest.fixture
def more_orgs(orgs):
    mk = core_services.organization_create
    return {
        "big": mk(actor=None, name="苏州大型制造有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=False,
                  region_code="320505"),
        "sme_c": mk(actor=None, name="常州丙精密有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=True,
                    region_code="320400"),
        "sme_d": mk(actor=None, name="宁波丁新材有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=True,
                    region_code="330200"),
        "sme_e": mk(actor=None, name="无锡戊传感有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=True,
                    region_code="320200"),
    }


STAGE_PATH = ("negotiation", "signed", "performing", "completed")


@pytest.fixture
def make_deal(users):
    """make_deal(center_user, stage, signed=date, amount=…, sellers=[…], buyers=[…], …) → a deal at ``stage``."""

    def make(actor, stage="intention", *, title="交易", signed: dt.date | None = None, amount=None,
             sellers=(), buyers=(), intention_date=None, terminate_after: str | None = None, **fields):
        if intention_date is None and signed is not None:
            intention_date = signed - dt.timedelta(days=60)
        deal = services.deal_create(actor=actor, title=title, deal_type=fields.pop("deal_type", "license"),
                                    sellers=sellers, buyers=buyers, intention_date=intention_date,
                                    amount=Decimal(str(amount)) if amount is not None else None, **fields)
        target = terminate_after or stage
        if target != "intention":
            for step in STAGE_PATH[:STAGE_PATH.index(target) + 1]:
                on = signed if step == "signed" else (signed + dt.timedelta(days=30) if step == "completed" else None)
                deal = services.deal_transition(actor=actor, deal=deal, to_stage=step, on=on, reason=f"推进到{step}")
        if terminate_after:
            deal = services.deal_transition(actor=actor, deal=deal, to_stage="terminated", reason="对方撤回")
        return deal

    return make
