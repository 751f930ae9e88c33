"""``ipoc demo`` steps for 技术需求, all through ``ipoc.demands.services``.

``demands`` (order 40): the real enterprise demands (2018–2020) imported and published by the demo center;
``demand_flow`` (order 45): the demo enterprise (华为, user ``enterprise``) files its own demands — one still a
draft, one waiting for the center to accept it, the rest accepted and published by the center — two SMEs' demands
taken down by the center, the demo university's 转化需求, and some imported demands moved on to 对接中, 已解决
and 已关闭. Idempotent: a demand is found by its owner and title, and only moved forward.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
ENTERPRISE = "华为技术有限公司"
UNIVERSITY = "浙江大学"
# Small and medium-sized demo enterprises (marked 演示): the center takes down their demands.
SMES = [
    dict(name="苏州芯测电子科技有限公司（演示）", region_code="320505", contact_name="周工", contact_phone="0512-6000 0000"),
    dict(name="无锡精工智能装备有限公司（演示）", region_code="320214", contact_name="钱工", contact_phone="0510-8000 0000"),
]

# (owner, title, target status, fields). Owner "enterprise"/"university": filed by that demo user; an SME name:
# taken down by the center for it.
DEMANDS = [
    ("enterprise", "面向5G基站的高效率射频功率放大器技术", "published", dict(
        description="寻求宽带高效率射频功率放大器（Doherty架构或包络跟踪）相关专利技术，用于5G宏基站和小基站，"
                    "要求在3.5GHz频段效率不低于45%，可通过专利许可或合作开发方式引进。",
        industry="电子信息", industry_code="C39", keywords=["射频功率放大器", "5G基站", "Doherty", "包络跟踪"],
        modes=["license", "co_development"], budget_min=Decimal("500000"), budget_max=Decimal("2000000"),
        budget_text="50~200万", region_code="440307")),
    ("enterprise", "车载毫米波雷达天线阵列设计技术", "published", dict(
        description="面向智能网联汽车的77GHz毫米波雷达，寻求低剖面天线阵列、波束赋形及天线罩一体化设计专利，"
                    "希望以专利转让或独占许可方式合作。",
        industry="电子信息", industry_code="C39", keywords=["毫米波雷达", "天线阵列", "波束控制", "车载"],
        modes=["assignment", "license"], budget_min=Decimal("1000000"), budget_max=Decimal("5000000"),
        budget_text="100~500万", region_code="440307")),
    ("enterprise", "光模块高速光收发器件封装技术", "solved", dict(
        description="寻求400G/800G光模块中光收发器件的高速封装与耦合工艺专利，解决批量生产中的耦合效率和一致性问题。",
        industry="电子信息", industry_code="C39", keywords=["光收发器", "光模块", "封装", "耦合"],
        modes=["license"], budget_text="50~200万", budget_min=Decimal("500000"), budget_max=Decimal("2000000"),
        region_code="440307")),
    ("enterprise", "低功耗物联网终端休眠唤醒技术", "pending", dict(
        description="面向NB-IoT和LoRa终端，寻求低功耗休眠唤醒电路及信道接入方法相关专利，目标待机电流低于2微安。",
        industry="电子信息", industry_code="C39", keywords=["物联网", "低功耗", "信道接入", "唤醒"],
        modes=["license", "co_development"], budget_text="10~50万", budget_min=Decimal("100000"),
        budget_max=Decimal("500000"), region_code="440307")),
    ("enterprise", "数据中心液冷散热结构技术", "draft", dict(
        description="寻求服务器冷板式液冷和浸没式液冷散热结构专利，用于高密度数据中心机柜。",
        industry="电子信息", keywords=["液冷", "散热", "数据中心"], modes=["license"], budget_text="面议",
        region_code="440307")),
    ("苏州芯测电子科技有限公司（演示）", "芯片测试探针卡国产化技术", "published", dict(
        description="公司为集成电路测试服务企业，寻求垂直探针卡结构及制造工艺专利，用于晶圆级测试，希望受让或获得许可。",
        industry="电子信息", industry_code="C39", keywords=["探针卡", "晶圆测试", "集成电路"],
        modes=["assignment", "license"], budget_text="10~50万", budget_min=Decimal("100000"),
        budget_max=Decimal("500000"), region_code="320505")),
    ("无锡精工智能装备有限公司（演示）", "基于机器视觉的零件缺陷在线检测技术", "published", dict(
        description="寻求基于深度学习和机器视觉的金属零件表面缺陷在线检测方法，检测节拍不高于1秒/件。",
        industry="智能装备制造", industry_code="C34", keywords=["机器视觉", "缺陷检测", "深度学习", "图像识别"],
        modes=["license", "co_development"], budget_text="10~50万", budget_min=Decimal("100000"),
        budget_max=Decimal("500000"), region_code="320214")),
    ("university", "石墨烯复合材料中试放大合作", "published", dict(
        description="本校已形成氧化石墨烯可控制备和石墨烯/硅太阳能电池等系列专利，寻求有中试条件的企业合作开展放大生产。",
        industry="新材料", industry_code="C26", keywords=["石墨烯", "氧化石墨烯", "中试", "太阳能电池"],
        modes=["license", "equity"], budget_text="面议", region_code="330106")),
]

# Imported demands moved on by the center (by exact title; only demands still 已发布 are moved).
IMPORTED_MOVES = [
    ("微波通信技术解决方案", ("matching",)),
    ("宽带同轴径向功率合成技术需求", ("matching",)),
    ("图像识别技术和方法", ("matching", "solved")),
    ("通信光缆与光产品的产品研发与设备升级", ("matching", "solved")),
    ("红桃3金融版", ("closed",)),
]

# Forward path of each target from 草稿 (the center accepts and publishes; matching → 对接中 → 已解决).
PATHS = {"draft": (), "pending": ("pending",), "published": ("pending", "published"),
         "matching": ("pending", "published", "matching"),
         "solved": ("pending", "published", "matching", "solved")}
REASONS = {"published": "需求清晰，已受理并发布", "matching": "已组织供需对接", "solved": "已与专利权人签订许可合同，需求解决",
           "closed": "非专利技术需求，关闭"}


def _center_org():
    from ipoc.core.models import Organization

    return Organization.objects.filter(name=DEMO_CENTER).first()


def demo_demands(data_dir: Path) -> dict:
    from ipoc.demands.services import demand_import

    path = data_dir / "cn" / "demands.csv"
    if not path.exists():
        return {"demands.csv": "missing"}
    return demand_import(actor=None, path=path, center=_center_org())["counts"]


def _advance(demand, path: tuple[str, ...], owner_user, center_user) -> int:
    """Move ``demand`` along ``path`` from where it stands: the owner submits, the center does the rest."""
    from ipoc.demands.services import demand_transition

    if demand.status != "draft" and demand.status not in path:
        return 0  # already further on (a confirmed match moves a published demand to 对接中)
    moves = 0
    for to_status in path[path.index(demand.status) + 1:] if demand.status in path else path:
        actor = owner_user if to_status == "pending" else center_user
        demand = demand_transition(actor=actor, demand=demand, to_status=to_status, reason=REASONS.get(to_status, ""))
        moves += 1
    return moves


def demo_demand_flow(data_dir: Path) -> dict:
    from django.utils import timezone

    from ipoc.core import services as core_services
    from ipoc.core.demo import DEMO_SOURCE, demo_user
    from ipoc.core.models import Organization, OrganizationKind
    from ipoc.demands.models import Demand
    from ipoc.demands.services import demand_create

    center_org, center_user = _center_org(), demo_user("center")
    if center_org is None or center_user is None:
        return {"demand_flow": "demo center or its user missing (run the organizations and users steps)"}
    for sme in SMES:
        if not Organization.objects.filter(name=sme["name"]).exists():
            core_services.organization_create(actor=None, kind=OrganizationKind.ENTERPRISE, is_sme=True,
                                              source=DEMO_SOURCE, **sme)
    created = moved = 0
    deadline = dt.date(timezone.localdate().year + 1, 6, 30)
    for owner, title, target, fields in DEMANDS:
        user = demo_user(owner) if owner in ("enterprise", "university") else None
        org = user.organization if user is not None else Organization.objects.filter(name=owner).first()
        if org is None:
            continue
        demand = Demand.objects.filter(organization=org, title=title).first()
        if demand is None:
            contact = {"contact_name": "张经理", "contact_phone": "0755-2878 0000", "contact_email": "ip@example.com"}
            if user is None:
                sme = next(s for s in SMES if s["name"] == owner)
                contact = {"contact_name": sme["contact_name"], "contact_phone": sme["contact_phone"]}
            demand = demand_create(actor=user or center_user, title=title, organization=org, center=center_org,
                                   deadline=deadline, **contact, **fields)
            created += 1
        path = PATHS[target]
        moved += _advance(demand, path, user or center_user, center_user)
    for title, path in IMPORTED_MOVES:
        demand = Demand.objects.filter(title=title, center=center_org, source__startswith="import:").order_by("id").first()
        if demand is None or demand.status != "published":
            continue
        moved += _advance(demand, ("published", *path), center_user, center_user)
    return {"demands_created": created, "status_moves": moved}


register_demo_step("demands", demo_demands, order=40)
register_demo_step("demand_flow", demo_demand_flow, order=45)
