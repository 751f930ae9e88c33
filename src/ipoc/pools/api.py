"""/api/v1/pools: 重点领域专利池 — pools, patent lists with computed status, licensee reports and their statements,
allocations, conflict checks and the simulator. Thin: parse, call a selector or service, serialise."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from ipoc.core.errors import NotFound
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.pools import selectors, services
from ipoc.pools.schemas import AllocationRun, PoolRead, ReportCreate, SimulationQuery

router = Router(tags=["pools"])


def _patent_row(p: dict) -> dict:
    return {k: p[k] for k in ("id", "patent_id", "number", "title", "country", "family", "expiry_date", "in_force",
                              "state", "state_label", "licensor", "licensor_id", "sections", "status", "status_label")}


@router.get("", response=list[PoolRead], summary="专利池列表")
@paginate(LimitOffsetPagination)
def pool_list(request, q: str = "", status: str = ""):
    return selectors.pool_list(user=request.auth, q=q[:100], status=status[:16])


@router.get("/{pool_id}", summary="专利池详情（许可人、入池专利及其有效状态、许可计划与现行费率）")
def pool_detail(request, pool_id: int):
    pool = selectors.pool_get(user=request.auth, pk=pool_id)
    role = selectors.role_in_pool(request.auth, pool)
    admin = services.is_admin(request.auth, pool)
    programmes = []
    for prog in pool.programmes.prefetch_related("categories"):
        card = selectors.rate_card_current(prog)
        programmes.append({"id": prog.pk, "name": prog.name,
                           "categories": [{"id": c.pk, "code": c.code, "name": c.name} for c in prog.categories.all()],
                           "rate_card": None if card is None else {
                               "id": card.pk, "version": card.version, "effective_from": card.effective_from,
                               "rates": [{"category": r.category.code, "per_unit": str(r.per_unit),
                                          "annual_cap": None if r.annual_cap is None else str(r.annual_cap)}
                                         for r in card.rates.select_related("category")]}})
    return {**PoolRead.from_orm(pool).dict(),
            "licensors": [{"id": x.pk, "organization_id": x.organization_id, "name": x.organization.name}
                          for x in pool.licensors.select_related("organization")],
            "patents": [_patent_row(p) for p in selectors.patent_list_rows(pool, public=not (admin or
                                                                                             role["licensor"]))],
            "programmes": programmes}


@router.post("/agreements/{agreement_id}/reports", response={201: dict}, summary="被许可人提交报告（即出具账单）")
def report_create(request, agreement_id: int, payload: ReportCreate):
    from ipoc.pools.models import Agreement

    ag = Agreement.objects.select_related("pool", "programme").filter(pk=agreement_id).first()
    if ag is None or not (services.is_admin(request.auth, ag.pool)
                          or ag.licensee_id == request.auth.organization_id):
        raise NotFound(f"许可协议不存在或无权查看：{agreement_id}", field="agreement")
    report = services.report_submit(actor=request.auth, agreement=ag, period=payload.period,
                                    lines=[ln.dict() for ln in payload.lines])
    return Status(201, {"report": report.pk, "statement": selectors.statement_dict(
        selectors.statement_current(report))})


@router.get("/reports/{report_id}/statement", summary="许可费账单（每行计费理由）")
def statement(request, report_id: int):
    report = selectors.report_get(user=request.auth, pk=report_id)
    st = selectors.statement_current(report)
    if st is None:
        raise NotFound("该报告尚无账单", field="statement")
    return selectors.statement_dict(st)


@router.get("/{pool_id}/statements", summary="某报告期的账单（如 2025Q4）")
def statements(request, pool_id: int, period: str):
    pool = selectors.pool_get(user=request.auth, pk=pool_id)
    period, _s, _e = services.parse_period(period)
    rows = [selectors.statement_dict(s) for s in selectors.statement_for_period(user=request.auth, pool=pool,
                                                                                 period=period)]
    return {"pool": pool.pk, "period": period, "statements": rows,
            "total": str(sum((Decimal(r["total"]) for r in rows), Decimal("0")))}


@router.post("/{pool_id}/allocations", response={201: dict}, summary="计算年度分配（管理人）")
def allocation_run(request, pool_id: int, payload: AllocationRun):
    pool = selectors.pool_get(user=request.auth, pk=pool_id)
    alloc = services.allocation_run(actor=request.auth, pool=pool, year=payload.year, method=payload.method or None)
    return Status(201, selectors.allocation_dict(alloc))


@router.get("/{pool_id}/allocations/{year}", summary="年度分配（许可人只见本单位）")
def allocation_get(request, pool_id: int, year: int):
    pool = selectors.pool_get(user=request.auth, pk=pool_id)
    role = selectors.role_in_pool(request.auth, pool)
    admin = services.is_admin(request.auth, pool)
    if not (admin or role["licensor"]):
        raise NotFound("无权查看分配", field="pool")
    alloc = selectors.allocation_current(pool, year)
    if alloc is None:
        raise NotFound(f"{year} 年度尚未分配", field="year")
    return selectors.allocation_dict(alloc, licensor_id=None if admin else role["licensor"].pk)


@router.post("/{pool_id}/conflicts/check", summary="冲突检查（排他许可、开放许可、开源承诺、转让、失效）")
def conflicts_check(request, pool_id: int):
    pool = selectors.pool_get(user=request.auth, pk=pool_id)
    new = services.conflicts_refresh(actor=request.auth, pool=pool)
    return {"new": [{"id": f.pk, "patent": f.pool_patent.patent.number, "kind": f.kind,
                     "kind_label": str(f.get_kind_display()), "detail": f.detail} for f in new]}


@router.get("/{pool_id}/simulate", summary="许可费测算（不改变记录）")
def simulate(request, pool_id: int, params: Query[SimulationQuery]):
    from ipoc.patents import selectors as patent_selectors

    pool = selectors.pool_get(user=request.auth, pk=pool_id)
    services.require_admin(request.auth, pool)
    extra = [patent_selectors.patent_get(user=request.auth, key_or_number=n.strip()).pk
             for n in params.patents.replace("，", ",").split(",") if n.strip()][:50]
    per_unit = (services.clean_decimal(params.per_unit, "per_unit", places=4, label=_("单位许可费"))
                if params.per_unit else None)
    pct = (services.clean_decimal(params.discount_percent, "discount_percent", maximum=Decimal(100),
                                  label=_("折扣比例"))
           if params.discount_percent else None)
    result = selectors.simulate(pool=pool, year=params.year, extra_patent_ids=extra, rate_category=params.category,
                                per_unit=per_unit, discount_percent=pct,
                                discount_countries=services.clean_countries(params.discount_countries),
                                years_ahead=params.years_ahead)
    return {"year": result["year"], "years": [
        {"year": y["year"], "in_force": y["in_force"], "collected": str(y["collected"]), "fee": str(y["fee"]),
         "distributable": str(y["distributable"]),
         "licensors": [{"name": x["name"], "amount": str(x["amount"])} for x in y["licensors"]]}
        for y in result["years"]]}
