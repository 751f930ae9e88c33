"""``ipoc demo`` step ``stock`` (order 75), through ``ipoc.revitalization.services``: 存量专利盘活 at every stage.

The demo university (浙江大学, user ``university``, appointed 院系审核人 and 学校审核人) has its own patents — the
sample records have no publication numbers — at 建档, 院系审核, 学校审核, in the 存量专利基础库 and, screened by
the demo center, in the 专利转化资源库. The research institute (中科大数据研究院, user ``institute``) files its
numbered patents by selecting them from the store; the center grades them (a valuation run), screens them and
pushes the ones recommended for 推广 to enterprises, whose responses and a deal are recorded.
Idempotent: a stock patent is found by institution and patent and only moved forward.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
UNIVERSITY = "浙江大学"
INSTITUTE = "中科大数据研究院"

STAGES = ("draft", "dept_review", "school_review", "stored")
CS, EE, MAT, AGR, ME, ISEE = ("计算机科学与技术学院", "电气工程学院", "材料科学与工程学院", "农业与生物技术学院",
                              "机械工程学院", "信息与电子工程学院")

# The university's patents: title, 院系, target (a stage; "resource" = screened into the 专利转化资源库,
# "kept" = screened but kept in the 存量专利基础库), intentions, implemented, self rating.
UNIVERSITY_STOCK = [
    ("一种层间距可控的氧化石墨烯制备方法", MAT, "resource", ["assignment", "license"], True, 5),
    ("基于多球面相机模型的大视野图像三维重构优化方法", CS, "resource", ["license"], False, 4),
    ("一种基于时序网格流叠加的实时视频稳像方法", CS, "resource", ["license", "assignment"], False, 4),
    ("一种铜基合金气凝胶的制备方法", MAT, "resource", ["assignment"], False, 4),
    ("一种提高大麦分蘖数量的方法", AGR, "kept", ["license"], False, 2),
    ("一种基于BLS的风电机组智能恒功率控制方法", EE, "stored", ["license"], False, 3),
    ("一种基于ELM的风电机组桨距角控制方法", EE, "stored", ["license"], False, 3),
    ("一种直流配电网断路器优化配置方法及系统", EE, "school_review", ["assignment"], False, 3),
    ("一种真零级集成光波导型全波片", ISEE, "school_review", ["license"], True, 4),
    ("双向拉伸发泡聚丙烯薄膜及其制备方法", MAT, "dept_review", ["assignment", "license"], False, 3),
    ("一种聚乙烯薄膜的制备方法及其应用", MAT, "dept_review", ["license"], False, 3),
    ("一种基于深度学习和注意力机制的肌电信号手势识别方法", CS, "dept_review", ["license"], True, 4),
    ("一种具有抗卵巢癌活性的靶向纳米粒及制备和应用", "药学院", "draft", ["license", "self_use"], False, 4),
    ("一种基于遍历航点的无人机喷药系统及喷药方法", ME, "draft", ["license"], False, 3),
    ("一种基于可抛载足垫的自适应海底着陆器", ME, "draft", ["self_use"], False, 2),
]

# A Jiangsu university's inventory, just started: (title, 院系, target)
SEU = "东南大学"
SEU_STOCK = [
    ("基于储能用磷酸锂电池安全管理系统的热失控预警方法", "能源与环境学院", "stored"),
    ("一种锂金属电池负极回收再利用的方法", "化学化工学院", "stored"),
    ("基于北斗/GPS双模软件接收机的卫星/惯性超紧组合方法", "仪器科学与工程学院", "stored"),
    ("一种深度拉普拉斯自编码的旋转机械故障诊断方法", "机械工程学院", "school_review"),
    ("一种低表面摩擦系数的聚丙烯复合材料的制备方法", "材料科学与工程学院", "dept_review"),
    ("基于基站聚类的缓存方法", "信息科学与工程学院", "draft"),
]

# Pushes of the institute's graded patents: (patent number, enterprise, response, by, deal (mode, amount, days ago))
PUSHES = [
    ("CN115883397A", "华为技术有限公司", "interested", "enterprise", None),
    ("CN216774847U", "华为技术有限公司", "", "", None),
    ("CN217546176U", "无锡精工智能装备有限公司（演示）", "negotiating", "center", None),
    ("CN215361852U", "无锡精工智能装备有限公司（演示）", "interested", "center", None),
    ("CN215590999U", "苏州芯测电子科技有限公司（演示）", "deal", "center", ("license", "200000", 10)),
]


def _target_index(target: str) -> int:
    return STAGES.index("stored") if target in ("resource", "kept") else STAGES.index(target)


def _walk(stock, target: str, member, reviewer) -> int:
    """Move a stock patent along 建档 → 院系审核 → 学校审核 → 入库 up to ``target``."""
    from ipoc.revitalization import services

    moves = 0
    while stock.stage != "stored" and STAGES.index(stock.stage) < _target_index(target):
        if stock.stage == "draft":
            stock = services.stock_submit(actor=member, stock=stock, reason="发明人完成建档，提交院系审核")
        else:
            stock = services.stock_review(actor=reviewer, stock=stock, approve=True)
        moves += 1
    return moves


def _appoint(institution, user) -> None:
    from ipoc.revitalization import services

    services.reviewer_appoint(actor=None, institution=institution, user=user, level="school")
    services.reviewer_appoint(actor=user, institution=institution, user=user, level="department")


def _university(center, staff, name: str = UNIVERSITY, username: str = "university",
                stock_list: list | None = None) -> dict:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.patents import selectors as patent_selectors
    from ipoc.revitalization import services
    from ipoc.revitalization.models import StockPatent

    university, member = demo_organization(name), demo_user(username)
    if university is None or member is None:
        return {}
    services.service_link_create(actor=member, center=center, institution=university)
    _appoint(university, member)
    patents = {p.title: p for p in patents_of(patent_selectors, university)}
    created = moves = 0
    for title, department, target, intentions, implemented, rating in stock_list or UNIVERSITY_STOCK:
        patent = patents.get(title)
        if patent is None:
            continue
        stock = StockPatent.objects.filter(institution=university, patent=patent).first()
        if stock is None:
            stock = services.stock_create(
                actor=member, institution=university, patent=patent, source="manual",
                number_raw=patent.publication_number or patent.application_number, department=department,
                intentions=intentions, implemented=implemented, self_rating=rating, contact_name=f"{name}技术转移中心",
                contact_phone="0571-8795 0000" if name == UNIVERSITY else "025-8379 0000",
                contact_email="tto@example.edu.cn")
            created += 1
        moves += _walk(stock, target, member, member)
        stock.refresh_from_db()
        if target in ("resource", "kept") and stock.screened_at is None:
            services.stock_screen(actor=staff, stock=stock, passed=target == "resource",
                                  reason="技术成熟度高、有明确产业化方向，筛选进入专利转化资源库" if target == "resource"
                                  else "技术尚处实验室阶段，暂留基础库持续观察")
            moves += 1
    if name == UNIVERSITY:
        services.stock_grade(actor=member, institution=university)  # the sample records cannot be graded: said so
    return {f"{username}_created": created, f"{username}_moves": moves}


def patents_of(patent_selectors, organization):
    return patent_selectors.patents_held_by(user=None, organization=organization)


def _institute(center, staff) -> dict:
    from django.utils import timezone

    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.patents import selectors as patent_selectors
    from ipoc.revitalization import services
    from ipoc.revitalization.models import StockPatent, StockPush

    institute, member = demo_organization(INSTITUTE), demo_user("institute")
    if institute is None or member is None:
        return {}
    services.service_link_create(actor=member, center=center, institution=institute)
    _appoint(institute, member)
    numbers = sorted(p.publication_number for p in patents_of(patent_selectors, institute)
                     if p.publication_number)
    known = set(StockPatent.objects.filter(institution=institute).values_list("patent__publication_number",
                                                                               flat=True))
    if set(numbers) - known:
        services.stock_select(actor=member, institution=institute, numbers=sorted(set(numbers) - known),
                              intentions=["license", "assignment"], department="大数据与智能技术研究所",
                              contact_name="成果转化办公室", contact_phone="010-6260 0000")
    moves = 0
    for stock in StockPatent.objects.filter(institution=institute).order_by("id"):
        moves += _walk(stock, "stored", member, member)
    stocks = StockPatent.objects.filter(institution=institute)
    if stocks.filter(graded_at__isnull=True).exists():
        services.stock_grade(actor=staff, institution=institute)
    for stock in stocks.filter(stage="stored", screened_at__isnull=True).exclude(recommendation=""):
        services.stock_screen(actor=staff, stock=stock)
    pushes = 0
    for number, enterprise_name, response, by, deal in PUSHES:
        stock = stocks.filter(patent__publication_number=number).first()
        enterprise = demo_organization(enterprise_name)
        if stock is None or enterprise is None or stock.library != "resource" or stock.recommendation not in (
                "key", "general"):
            continue
        push = StockPush.objects.filter(stock=stock, enterprise=enterprise).first()
        if push is None:
            push = services.push_create(actor=staff, stock=stock, enterprise=enterprise,
                                        note="与企业产品方向契合，建议评估许可引进。")
            pushes += 1
        if deal is not None and not push.deals.exists():
            mode, amount, days = deal
            services.deal_record(actor=staff, push=push, mode=mode, amount=Decimal(amount),
                                 signed_on=timezone.localdate() - dt.timedelta(days=days),
                                 note="普通许可三年，运营中心协助办理许可合同备案。")
        elif response and not push.response:
            actor = demo_user(by) if by == "enterprise" else staff
            services.push_respond(actor=actor, push=push, response=response,
                                  note="已安排技术对接会" if response == "negotiating" else "请提供技术交底材料")
    return {"institute_stock": stocks.count(), "institute_moves": moves, "pushes": pushes}


def demo_stock(data_dir: Path) -> dict:
    from ipoc.core.demo import demo_organization, demo_user

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    if center is None or staff is None:
        return {"stock": "demo center or its user missing"}
    seu = [(title, department, target, ["license"], False, 3) for title, department, target in SEU_STOCK]
    return {**_university(center, staff), **_institute(center, staff),
            **_university(center, staff, name=SEU, username="seu", stock_list=seu)}


register_demo_step("stock", demo_stock, order=75)
