"""Reads for 专利产业化: projects, 专利密集型产品 and brands, restricted to what the user may see; the figures
behind the KPI providers; the read functions other apps call (CONTRACTS.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse

from ipoc.core.display import patent_label
from ipoc.core.errors import NotFound
from ipoc.core.models import Role, User
from ipoc.core.permissions import VIEW, restrict
from ipoc.industrialization.models import (
    FILED_STATUSES,
    Brand,
    FilingStatus,
    Product,
    ProductFiling,
    Project,
    ProjectOutcome,
    Trademark,
)


def system_reader() -> User:
    """An unsaved administrator, to read other apps' records through their selectors the same way for everyone."""
    return User(username="system", role=Role.PLATFORM_ADMIN, is_superuser=True)


# ---------------------------------------------------------------- projects


def project_list(*, user: User | None, q: str = "", stage: str = "", center: int | None = None,
                 enterprise: int | None = None, chain_node: int | None = None,
                 ids: list[int] | None = None) -> QuerySet[Project]:
    qs = restrict(Project.objects.select_related("center", "enterprise", "chain_node"), user, VIEW)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(enterprise__name__icontains=q))
    if stage:
        qs = qs.filter(stage=stage)
    if center:
        qs = qs.filter(center=center)
    if enterprise:
        qs = qs.filter(enterprise=enterprise)
    if chain_node:
        qs = qs.filter(chain_node=chain_node)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


def project_get(*, user: User | None, pk: int) -> Project:
    project = project_list(user=user).select_related("demand", "event").filter(pk=pk).first()
    if project is None:
        raise NotFound(f"产业化项目 {pk} 不存在或无权查看", field="project")
    return project


def project_totals(project: Project) -> dict:
    """Investment by source and the outcomes' sums, for the project's page and API."""
    by_source: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for inv in project.investments.all():
        by_source[inv.source] = by_source.get(inv.source, Decimal("0")) + inv.amount
        labels[inv.source] = str(inv.get_source_display())
    outcomes = project.outcomes.aggregate(output=Sum("output_value"), sales=Sum("sales"), jobs=Sum("jobs"),
                                          new_patents=Sum("new_patents"))
    return {"investment_total": sum(by_source.values(), Decimal("0")),
            "investment_by_source": [{"source": k, "label": labels[k], "amount": v} for k, v in by_source.items()],
            "output_total": outcomes["output"], "sales_total": outcomes["sales"], "jobs_total": outcomes["jobs"],
            "new_patents_total": outcomes["new_patents"]}


def project_chain(project: Project, *, user: User) -> list[dict]:
    """需求 → 匹配 → 交易 → 项目 → 产品: the records this project came from and led to, as far as the user sees."""
    steps: list[dict] = []
    demand_ids = set()
    if project.demand_id:
        demand_ids.add(project.demand_id)
    deals = {}
    for link in project.project_patents.all():
        if link.deal_id and link.deal is not None:
            deals[link.deal_id] = link.deal
            if link.deal.demand_id:
                demand_ids.add(link.deal.demand_id)
    from ipoc.demands import selectors as demand_selectors

    demands = list(demand_selectors.demand_list(user=user).filter(pk__in=demand_ids)) if demand_ids else []
    for d in demands:
        steps.append({"kind": "demand", "label": str(d), "url": reverse("demand_detail", args=[d.pk])})
    try:
        from ipoc.matching import selectors as matching_selectors

        for d in demands:
            for m in matching_selectors.demand_matches(user=user, demand_id=d.pk).filter(
                    status="confirmed").select_related("patent")[:5]:
                steps.append({"kind": "match", "label": patent_label(m.patent)[0],
                              "url": reverse("demand_detail", args=[d.pk])})
    except Exception:  # the match step is shown when matching answers; never fails the page
        pass
    from ipoc.deals import selectors as deal_selectors

    visible = set(deal_selectors.deal_list(user=user, ids=list(deals)).values_list("pk", flat=True)) if deals else set()
    for pk, deal in deals.items():
        if pk in visible:
            steps.append({"kind": "deal", "label": str(deal), "url": reverse("deal_detail", args=[pk])})
    steps.append({"kind": "project", "label": str(project),
                  "url": reverse("industrialization_project_detail", args=[project.pk])})
    for p in project.products.all():
        steps.append({"kind": "product", "label": str(p),
                      "url": reverse("industrialization_product_detail", args=[p.pk])})
    return steps


def projects_by_chain_node(*, user: User, center: int | None = None) -> list[dict]:
    """Projects counted by chain node and stage (the map), for the projects the user may see."""
    rows: dict[tuple, dict] = {}
    for p in project_list(user=user, center=center):
        node = p.chain_node
        key = (node.pk if node else 0,)
        row = rows.setdefault(key, {"node_id": node.pk if node else None,
                                    "node": str(node) if node else "", "count": 0, "stages": {}})
        row["count"] += 1
        row["stages"][p.stage] = row["stages"].get(p.stage, 0) + 1
    return sorted(rows.values(), key=lambda r: (r["node_id"] is None, -r["count"], r["node"]))


def chain_nodes_for(*, user: User, center_id: int | None):
    """The center's chain nodes (matching.ChainNode) to pick from; empty when none."""
    if not center_id:
        return []
    from ipoc.matching import selectors as matching_selectors

    return list(matching_selectors.chain_nodes(user=user, center_id=center_id))


# ---------------------------------------------------------------- products


def product_list(*, user: User | None, q: str = "", enterprise: int | None = None, center: int | None = None,
                 status: str = "", brand: int | None = None, ids: list[int] | None = None) -> QuerySet[Product]:
    qs = restrict(Product.objects.select_related("enterprise", "center", "brand", "project"), user, VIEW)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(category__icontains=q) | Q(catalogue_code__icontains=q)
                       | Q(enterprise__name__icontains=q))
    if enterprise:
        qs = qs.filter(enterprise=enterprise)
    if center:
        qs = qs.filter(Q(center=center) | Q(project__center=center))
    if status:
        qs = qs.filter(filings__status=status).distinct()
    if brand:
        qs = qs.filter(brand=brand)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


def product_get(*, user: User | None, pk: int) -> Product:
    product = product_list(user=user).filter(pk=pk).first()
    if product is None:
        raise NotFound(f"专利密集型产品 {pk} 不存在或无权查看", field="product")
    return product


def latest_filing(product: Product) -> ProductFiling | None:
    return product.filings.order_by("-data_year", "-id").first()


def filing_get(*, user: User | None, product: Product, pk: int) -> ProductFiling:
    filing = product.filings.filter(pk=pk).first()
    if filing is None:
        raise NotFound(f"备案记录 {pk} 不存在", field="filing")
    return filing


def product_risk_checks(product_id: int) -> list[dict]:
    """The product's FTO checks from the risk module, when it offers them; empty otherwise."""
    from ipoc.risk import selectors as risk_selectors

    fn = getattr(risk_selectors, "checks_for_product", None)
    if fn is None:
        return []
    try:
        return list(fn(product_id))
    except Exception:  # another app's read never breaks the product page
        return []


def product_supplier_results(product_id: int) -> list[dict]:
    from ipoc.risk import selectors as risk_selectors

    fn = getattr(risk_selectors, "supplier_results_for_product", None)
    if fn is None:
        return []
    try:
        return list(fn(product_id))
    except Exception:
        return []


def product_features(product_id: int) -> list[str]:
    """CONTRACTS: the features of a product for an FTO check (one per line of its 技术特征, else its name)."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return []
    lines = [line.strip() for line in product.features.splitlines() if line.strip()]
    return lines or [product.name]


def products_for_organization(org_id: int) -> list[dict]:
    """CONTRACTS: the products an organisation makes, with their latest filing status."""
    out = []
    for p in Product.objects.filter(enterprise_id=org_id).prefetch_related("filings").order_by("name"):
        filing = max(p.filings.all(), key=lambda f: (f.data_year, f.pk), default=None)
        out.append({"id": p.pk, "name": p.name, "category": p.category, "catalogue_code": p.catalogue_code,
                    "status": filing.status if filing else "",
                    "status_label": str(filing.get_status_display()) if filing else "",
                    "url": reverse("industrialization_product_detail", args=[p.pk])})
    return out


def products_due_for_update(*, user: User, today: dt.date) -> QuerySet[Product]:
    """Recognised products without a filing for the coming data year (the yearly update)."""
    from ipoc.industrialization import rules

    year = rules.data_year_for(today)
    return (product_list(user=user).filter(filings__status=FilingStatus.RECOGNISED).exclude(filings__data_year=year)
            .distinct())


# ---------------------------------------------------------------- brands


def brand_list(*, user: User | None, q: str = "", holder: int | None = None) -> QuerySet[Brand]:
    qs = restrict(Brand.objects.select_related("holder", "center"), user, VIEW)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(holder__name__icontains=q) | Q(trademarks__mark__icontains=q)
                       | Q(trademarks__registration_number__icontains=q)).distinct()
    if holder:
        qs = qs.filter(holder=holder)
    return qs


def brand_get(*, user: User | None, pk: int) -> Brand:
    brand = brand_list(user=user).filter(pk=pk).first()
    if brand is None:
        raise NotFound(f"品牌 {pk} 不存在或无权查看", field="brand")
    return brand


def trademarks_for(*, user: User | None, organization_id: int | None = None) -> QuerySet[Trademark]:
    brands = brand_list(user=user)
    qs = Trademark.objects.filter(brand__in=brands).select_related("brand", "holder")
    if organization_id:
        qs = qs.filter(holder=organization_id)
    return qs


def brand_patent_ids(brand: Brand) -> list[int]:
    """The patents covering the brand's products."""
    return sorted(set(brand.products.values_list("product_patents__patent_id", flat=True)) - {None})


# ---------------------------------------------------------------- figures (KPI providers)


def center_project_ids(center_org_id: int, *, started_in: int | None = None, up_to: int | None = None) -> list[int]:
    qs = Project.objects.filter(center_id=center_org_id)
    if started_in is not None:
        qs = qs.filter(start_date__year=started_in)
    if up_to is not None:
        qs = qs.filter(start_date__lte=dt.date(up_to, 12, 31))
    return sorted(qs.values_list("pk", flat=True))


def center_outcomes(center_org_id: int, year: int) -> QuerySet[ProjectOutcome]:
    return ProjectOutcome.objects.filter(project__center_id=center_org_id, year=year)


def center_filed_product_ids(center_org_id: int, year: int) -> list[int]:
    """Products of the center (cultivated by it, or from its projects) filed (备案) in the year, still filed."""
    return sorted(set(ProductFiling.objects.filter(
        Q(product__center_id=center_org_id) | Q(product__project__center_id=center_org_id),
        status__in=FILED_STATUSES, filed_date__year=year).exclude(status=FilingStatus.NOT_RECOGNISED)
        .values_list("product_id", flat=True)))


def center_brand_ids(center_org_id: int, year: int) -> list[int]:
    return sorted(Brand.objects.filter(center_id=center_org_id, created_at__date__lte=dt.date(year, 12, 31))
                  .values_list("pk", flat=True))


# ---------------------------------------------------------------- command line (system reads)


def center_by_ref(ref: str):
    """An operation center organisation by id or exact name (the command line)."""
    from ipoc.core.models import Organization, OrganizationKind

    ref = (ref or "").strip()
    qs = Organization.objects.filter(kind=OrganizationKind.OPERATION_CENTER)
    center = qs.filter(pk=int(ref)).first() if ref.isdecimal() else qs.filter(name=ref).first()
    if center is None:
        raise NotFound(f"运营中心不存在：{ref or '（未指定）'}", field="center")
    return center


def projects_for_center(ref: str) -> dict:
    center = center_by_ref(ref)
    rows = []
    for p in (Project.objects.filter(center=center).select_related("enterprise", "chain_node")
              .prefetch_related("project_patents", "outcomes").order_by("start_date", "pk")):
        rows.append({"id": p.pk, "title": p.title, "stage": p.stage, "stage_label": str(p.get_stage_display()),
                     "enterprise": p.enterprise.name, "enterprise_id": p.enterprise_id,
                     "chain_node": str(p.chain_node) if p.chain_node_id else "", "start_date": p.start_date,
                     "patents": [{"patent_id": x.patent_id, "source": x.source, "deal_id": x.deal_id}
                                 for x in p.project_patents.all()],
                     "outcomes": [{"year": o.year, "output_value": o.output_value, "sales": o.sales,
                                   "jobs": o.jobs, "new_patents": o.new_patents} for o in p.outcomes.all()]})
    return {"center": {"id": center.pk, "name": center.name}, "projects": rows}


def product_by_ref(ref: str) -> Product:
    ref = (ref or "").strip()
    product = (Product.objects.filter(pk=int(ref)).first() if ref.isdecimal() else None) or \
        Product.objects.filter(name=ref).first()
    if product is None:
        raise NotFound(f"专利密集型产品不存在：{ref}", field="product")
    return product
