"""/api/v1/industrialization: 专利产业化 — projects, 专利密集型产品 (yearly data, 备案 pack and status), brands."""

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ipoc.core.bounds import DbId
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.industrialization import selectors, services
from ipoc.industrialization.schemas import (
    BrandCreate,
    BrandRead,
    FilingPrepare,
    FilingRead,
    FilingTransition,
    OutcomeCreate,
    OutcomeRead,
    PatentLinkCreate,
    PatentLinkRead,
    ProductCreate,
    ProductRead,
    ProductYearCreate,
    ProductYearRead,
    ProjectCreate,
    ProjectRead,
    ProjectTransition,
    TrademarkCreate,
    TrademarkRead,
)

router = Router(tags=["industrialization"])

PROJECT_PREFETCH = ("project_patents__patent", "outcomes", "products")
PRODUCT_PREFETCH = ("product_patents__patent", "years", "filings")


def _org(user, pk, field: str | None = None):
    from ipoc.core import selectors as core_selectors

    return core_selectors.organization_get(user=user, pk=pk, field=field) if pk else None


def _patent(user, pk):
    from ipoc.events import selectors as event_selectors

    return event_selectors.patents_by_ids(user=user, ids=[pk], field="patent_id")[0]


class ProjectFilters(Schema):
    q: str = ""
    stage: str = ""
    center: DbId | None = None
    enterprise: DbId | None = None
    chain_node: DbId | None = None


@router.get("/projects", response=list[ProjectRead], summary="专利产业化项目列表")
@paginate(LimitOffsetPagination)
def project_list(request, filters: Query[ProjectFilters]):
    return selectors.project_list(user=request.auth, **filters.dict()).prefetch_related(*PROJECT_PREFETCH)


@router.get("/projects/{project_id}", response=ProjectRead, summary="产业化项目详情")
def project_detail(request, project_id: int):
    return selectors.project_get(user=request.auth, pk=project_id)


@router.post("/projects", response={201: ProjectRead}, summary="登记产业化项目（立项；可据已签约交易）")
def project_create(request, payload: ProjectCreate):
    from ipoc.deals import selectors as deal_selectors
    from ipoc.demands import selectors as demand_selectors

    user = request.auth
    d = payload.dict()
    deal = deal_selectors.deal_get(user=user, pk=d["deal_id"]) if d["deal_id"] else None
    demand = demand_selectors.demand_get(user=user, pk=d["demand_id"]) if d["demand_id"] else None
    project = services.project_create(actor=user, title=d["title"],
                                      enterprise=_org(user, d["enterprise_id"], "enterprise_id"),
                                      center=_org(user, d["center_id"], "center_id"), deal=deal, start_date=d["start_date"],
                                      summary=d["summary"], demand=demand)
    return Status(201, project)


@router.post("/projects/{project_id}/transition", response=ProjectRead, summary="项目阶段变更（立项→中试→量产→达产）")
def project_transition(request, project_id: int, payload: ProjectTransition):
    project = selectors.project_get(user=request.auth, pk=project_id)
    return services.project_transition(actor=request.auth, project=project, to_stage=payload.to_stage,
                                       reason=payload.reason)


@router.post("/projects/{project_id}/patents", response={201: PatentLinkRead}, summary="登记项目实施的专利")
def project_patent_add(request, project_id: int, payload: PatentLinkCreate):
    project = selectors.project_get(user=request.auth, pk=project_id)
    link = services.project_patent_add(actor=request.auth, project=project, patent=_patent(request.auth,
                                                                                           payload.patent_id),
                                       source=payload.source, deal_id=payload.deal_id,
                                       open_licence_id=payload.open_licence_id)
    return Status(201, link)


@router.post("/projects/{project_id}/outcomes", response={201: OutcomeRead}, summary="填报项目年度成效（每年一次）")
def project_outcome_add(request, project_id: int, payload: OutcomeCreate):
    project = selectors.project_get(user=request.auth, pk=project_id)
    return Status(201, services.project_outcome_add(actor=request.auth, project=project, **payload.dict()))


class ProductFilters(Schema):
    q: str = ""
    enterprise: DbId | None = None
    center: DbId | None = None
    status: str = ""


@router.get("/products", response=list[ProductRead], summary="专利密集型产品列表")
@paginate(LimitOffsetPagination)
def product_list(request, filters: Query[ProductFilters]):
    return selectors.product_list(user=request.auth, **filters.dict()).prefetch_related(*PRODUCT_PREFETCH)


@router.get("/products/{product_id}", response=ProductRead, summary="专利密集型产品详情")
def product_detail(request, product_id: int):
    return selectors.product_get(user=request.auth, pk=product_id)


@router.post("/products", response={201: ProductRead}, summary="登记专利密集型产品")
def product_create(request, payload: ProductCreate):
    user = request.auth
    d = payload.dict()
    project = selectors.project_get(user=user, pk=d.pop("project_id")) if d.get("project_id") else None
    d.pop("project_id", None)
    enterprise = _org(user, d.pop("enterprise_id"), "enterprise_id")
    return Status(201, services.product_create(actor=user, enterprise=enterprise, project=project, **d))


@router.post("/products/{product_id}/patents", response={201: PatentLinkRead}, summary="登记产品的覆盖专利")
def product_patent_add(request, product_id: int, payload: PatentLinkCreate):
    product = selectors.product_get(user=request.auth, pk=product_id)
    link = services.product_patent_add(actor=request.auth, product=product, patent=_patent(request.auth,
                                                                                           payload.patent_id),
                                       source=payload.source, deal_id=payload.deal_id,
                                       open_licence_id=payload.open_licence_id)
    return Status(201, link)


@router.post("/products/{product_id}/years", response={201: ProductYearRead}, summary="填报产品年度数据（每年一次）")
def product_year_add(request, product_id: int, payload: ProductYearCreate):
    product = selectors.product_get(user=request.auth, pk=product_id)
    return Status(201, services.product_year_add(actor=request.auth, product=product, **payload.dict()))


@router.get("/products/{product_id}/checks", summary="备案材料导出前检查")
def product_checks(request, product_id: int, data_year: int):
    product = selectors.product_get(user=request.auth, pk=product_id)
    year = services.clean_year(data_year, "data_year")
    problems = services.filing_problems(product, year)
    return {"data_year": year, "ok": not problems,
            "problems": [{k: str(v) if k == "message" else v for k, v in p.items()} for p in problems]}


@router.post("/products/{product_id}/filings", response={201: FilingRead}, summary="准备备案材料（先检查）")
def filing_prepare(request, product_id: int, payload: FilingPrepare):
    product = selectors.product_get(user=request.auth, pk=product_id)
    return Status(201, services.filing_prepare(actor=request.auth, product=product, data_year=payload.data_year))


@router.post("/products/{product_id}/filings/{filing_id}/transition", response=FilingRead,
             summary="备案状态变更（备案→认定审查→公示→结果）")
def filing_transition(request, product_id: int, filing_id: int, payload: FilingTransition):
    product = selectors.product_get(user=request.auth, pk=product_id)
    filing = selectors.filing_get(user=request.auth, product=product, pk=filing_id)
    return services.filing_transition(actor=request.auth, filing=filing, **payload.dict())


@router.get("/products/{product_id}/filings/{filing_id}/pack.xlsx", summary="备案材料（Excel）")
def filing_xlsx(request, product_id: int, filing_id: int):
    product = selectors.product_get(user=request.auth, pk=product_id)
    filing = selectors.filing_get(user=request.auth, product=product, pk=filing_id)
    response = HttpResponse(services.pack_xlsx(filing),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="product-{product.pk}-{filing.data_year}.xlsx"'
    return response


@router.get("/brands", response=list[BrandRead], summary="商标品牌列表")
@paginate(LimitOffsetPagination)
def brand_list(request, q: str = ""):
    return selectors.brand_list(user=request.auth, q=q).prefetch_related("trademarks", "products")


@router.get("/brands/{brand_id}", response=BrandRead, summary="品牌详情")
def brand_detail(request, brand_id: int):
    return selectors.brand_get(user=request.auth, pk=brand_id)


@router.post("/brands", response={201: BrandRead}, summary="登记品牌")
def brand_create(request, payload: BrandCreate):
    user = request.auth
    d = payload.dict()
    holder = _org(user, d.pop("holder_id"), "holder_id")
    return Status(201, services.brand_create(actor=user, holder=holder, **d))


@router.post("/brands/{brand_id}/trademarks", response={201: TrademarkRead}, summary="登记商标（类别 1–45）")
def trademark_add(request, brand_id: int, payload: TrademarkCreate):
    brand = selectors.brand_get(user=request.auth, pk=brand_id)
    return Status(201, services.trademark_add(actor=request.auth, brand=brand, **payload.dict()))
