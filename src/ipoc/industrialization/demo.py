"""``ipoc demo`` step ``industrialization`` (order 85, after deals), through ``ipoc.industrialization.services``:
the demo center opens 专利产业化项目 from the signed licence deals (纳米复合材料, 光波导) (its patent is recorded as licensed through
that deal), moves it to 量产 with a partner, money, milestones and outcomes; the licensee registers a
专利密集型产品 with two years of data; a brand with a trademark and an award bears it; a second project comes from
the completed 氧化石墨烯 assignment. The product's 备案 pack is checked (the demo patents' legal status is not
known, so the check says why it cannot be exported yet). Idempotent: records are found by their names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
UNIVERSITY = "浙江大学"
ENTERPRISE = "华为技术有限公司"
SME_C = "常州烯创新材料有限公司（演示）"
INVESTOR = "新一代信息技术产业园（演示）"

PROJECTS = [
    # title, deal title, chain node name, target stage, summary
    ("纳米复合材料封装基板产业化项目", "纳米复合材料专利普通许可", "集成电路设计与制造", "mass_production",
     "实施浙江大学许可的纳米复合材料专利，建设芯片封装用复合基板中试线并实现量产。（演示数据）"),
    ("集成光波导全波片产业化项目", "集成光波导全波片专利许可", "光电子器件", "pilot",
     "实施浙江大学许可的集成光波导全波片专利，建设硅基光波导偏振器件中试线。（演示数据）"),
    ("氧化石墨烯浆料产业化项目", "氧化石墨烯制备专利转让", "", "pilot",
     "受让层间距可控的氧化石墨烯制备方法专利，建设百吨级氧化石墨烯浆料中试线。（演示数据）"),
]
STAGE_PATH = ("initiated", "pilot", "mass_production", "full_capacity")


def _year(offset: int) -> int:
    from django.utils import timezone

    return timezone.localdate().year + offset


def _project(staff, center, title, deal_title, node_name, stage, summary):
    from ipoc.deals import selectors as deal_selectors
    from ipoc.industrialization import selectors, services

    project = selectors.project_list(user=staff, center=center.pk).filter(title=title).first()
    if project is None:
        deal = deal_selectors.deal_list(user=staff, center=center.pk).filter(title=deal_title).first()
        if deal is None or deal.stage not in services.SIGNED_DEAL_STAGES:
            return None, 0
        node = next((n for n in selectors.chain_nodes_for(user=staff, center_id=center.pk) if n.name == node_name),
                    None)
        project = services.project_create(actor=staff, title=title, deal=deal, chain_node=node, summary=summary,
                                          start_date=(deal.signed_date or dt.date(_year(-1), 6, 1))
                                          + dt.timedelta(days=30))
    moves = 0
    for to_stage in STAGE_PATH[STAGE_PATH.index(project.stage) + 1:STAGE_PATH.index(stage) + 1]:
        if to_stage == "mass_production" and not project.project_patents.exists():
            break  # without the sample data the deal carries no patents: the project stays in 中试
        project = services.project_transition(actor=staff, project=project, to_stage=to_stage, reason="按计划推进")
        moves += 1
    return project, moves


def demo_industrialization(data_dir: Path) -> dict:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.industrialization import services
    from ipoc.industrialization.models import Brand, Product

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    if center is None or staff is None:
        return {"industrialization": "demo center or its user missing"}
    projects = moves = 0
    made = []
    for spec in PROJECTS:
        project, n = _project(staff, center, *spec)
        moves += n
        if project is not None:
            made.append(project)
            projects += 1
    if not made:
        return {"industrialization": "no signed demo deal to start a project from (run the deals step first)"}
    main = made[0]
    if not main.partners.exists():
        university, investor = demo_organization(UNIVERSITY), demo_organization(INVESTOR)
        if university is not None:
            services.project_partner_add(actor=staff, project=main, organization=university, role="institution")
        if investor is not None:
            services.project_partner_add(actor=staff, project=main, organization=investor, role="investor")
        services.project_partner_add(actor=staff, project=main, organization=center, role="center")
    if not main.investments.exists():
        services.project_investment_add(actor=staff, project=main, source="self", amount="12000000",
                                        date=main.start_date + dt.timedelta(days=20))
        services.project_investment_add(actor=staff, project=main, source="government", amount="3000000",
                                        date=main.start_date + dt.timedelta(days=120), note="省级专利转化专项")
    if not main.milestones.exists():
        services.project_milestone_add(actor=staff, project=main, title="中试线建成",
                                       due_date=main.start_date + dt.timedelta(days=180),
                                       done_date=main.start_date + dt.timedelta(days=170))
        services.project_milestone_add(actor=staff, project=main, title="量产良率达到 95%",
                                       due_date=dt.date(_year(0), 12, 31))
    if not main.outcomes.filter(year=_year(-1)).exists():
        services.project_outcome_add(actor=staff, project=main, year=_year(-1), output_value="26000000",
                                     sales="21000000", jobs=85, new_patents=6)

    enterprise = main.enterprise
    brand = Brand.objects.filter(holder=enterprise, name="芯测").first()
    if brand is None:
        brand = services.brand_create(actor=staff, name="芯测", holder=enterprise,
                                      description="芯片封装材料与测试器件品牌，以纳米复合材料专利技术为支撑。（演示数据）")
        services.trademark_add(actor=staff, brand=brand, registration_number="68123456", mark="芯测", nice_class=9,
                               goods="集成电路；半导体器件；电子芯片", valid_until=dt.date(2033, 5, 13))
        services.trademark_add(actor=staff, brand=brand, registration_number="68123457", mark="芯测", nice_class=17,
                               goods="绝缘材料；半成品塑料物质", valid_until=dt.date(2033, 5, 13))
        services.brand_award_add(actor=staff, brand=brand, title="省级知名品牌培育名单", year=_year(-1),
                                 awarded_by="省市场监督管理局（演示）")

    product = Product.objects.filter(enterprise=enterprise, name="纳米复合封装基板").first()
    if product is None:
        product = services.product_create(actor=staff, name="纳米复合封装基板", category="电子专用材料",
                                          catalogue_code="", enterprise=enterprise, project=main, brand=brand,
                                          description="用于芯片封装的高导热纳米复合材料基板。（演示数据）",
                                          features="纳米复合材料\n高导热封装基板\n低介电损耗")
        services.product_update(actor=staff, product=product, data={"trademarks": list(brand.trademarks.all())})
        for link in main.project_patents.all():
            services.product_patent_add(actor=staff, product=product, patent=link.patent, source=link.source,
                                        deal_id=link.deal_id)
    years = 0
    for offset, output, sales, share in ((-2, "9000000", "7600000", "42.5"), (-1, "26000000", "21000000", "48.0")):
        if not product.years.filter(year=_year(offset)).exists():
            services.product_year_add(actor=staff, product=product, year=_year(offset), output_value=Decimal(output),
                                      sales=Decimal(sales), patent_revenue_share=Decimal(share))
            years += 1
    second = made[1] if len(made) > 1 else None
    if second is not None and not Product.objects.filter(project=second).exists():
        other = services.product_create(actor=staff, name="硅基集成光波导全波片模块", category="光电子器件",
                                        project=second, description="用于高速光模块的偏振控制器件。（演示数据）",
                                        features="真零级全波片\n集成光波导\n偏振控制")
        for link in second.project_patents.all():
            services.product_patent_add(actor=staff, product=other, patent=link.patent, source=link.source,
                                        deal_id=link.deal_id)
        services.product_year_add(actor=staff, product=other, year=_year(0) - 1, output_value=Decimal("3200000"),
                                  sales=Decimal("2500000"), patent_revenue_share=Decimal("60"))
    problems = services.filing_problems(product, _year(-1))
    return {"projects": projects, "stage_moves": moves, "product": product.name, "years_added": years,
            "brand": brand.name, "filing_checks": [str(p["message"]) for p in problems]}
