"""专利密集型产品: products, their patents and yearly data, the enterprises a center serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, Role, User
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.industrialization.models import (
    Brand,
    Product,
    ProductPatent,
    ProductYear,
    Project,
)
from ipoc.industrialization.services.common import (
    MAX_IMPORT_ROWS,
    _center_serves,
    _enterprise,
    _is_admin,
    _real,
    _require,
    check_upload,
    clean_money,
    clean_share,
    clean_year,
    may_manage_product,
    patent_link_add,
)

# ---------------------------------------------------------------- products


PRODUCT_FIELDS = ("name", "category", "catalogue_code", "description", "features", "brand", "project")


def _check_product_refs(actor: User | None, enterprise: Organization, brand, project) -> None:
    if brand is not None and brand.holder_id != enterprise.pk and not _is_admin(actor):
        # a brand of another holder may still be used under licence, but only an administrator records that
        raise ApplicationError(_("品牌“%(b)s”不属于 %(o)s") % {"b": brand, "o": enterprise}, field="brand")
    if project is not None and project.enterprise_id != enterprise.pk:
        raise ApplicationError(_("产业化项目“%(p)s”的实施企业不是 %(o)s") % {"p": project, "o": enterprise},
                               field="project")


def _require_served(actor: User | None, center: Organization | None, organization: Organization | None, *,
                    field: str) -> None:
    """Center staff act in an enterprise's name only for an enterprise their center serves: one with a project of
    the center, a deal it brokers or a demand it handles (probe, issue 19: any center could file for anyone)."""
    if actor is None or actor.is_platform_admin or actor.role != Role.CENTER_STAFF or organization is None:
        return
    if center is not None and _center_serves(center.pk, organization.pk):
        return
    raise PermissionDenied(_("本中心尚未服务该单位（无本中心的产业化项目、撮合交易或受理需求），不能以其名义登记"), field=field)


def product_create(*, actor: User | None, name: str, category: str, enterprise: Organization | None = None,
                   catalogue_code: str = "", center: Organization | None = None, project: Project | None = None,
                   brand: Brand | None = None, description: str = "", features: str = "") -> Product:
    """Register a 专利密集型产品. An enterprise user registers its own products; center staff those of the
    enterprises they serve (the center is recorded as cultivating it)."""
    if actor is not None and not actor.is_platform_admin:
        if actor.role == Role.CENTER_STAFF:
            center = actor.organization
        elif actor.role == Role.ENTERPRISE_USER:
            if enterprise is not None and enterprise.pk != actor.organization_id:
                raise PermissionDenied(_("只能登记本企业的产品"), field="enterprise")
            enterprise = actor.organization
        else:
            raise PermissionDenied(_("只有企业或运营中心可以登记专利密集型产品"))
    if project is not None and enterprise is None:
        enterprise = project.enterprise
    enterprise = _enterprise(enterprise)
    if project is not None and center is None:
        center = project.center
    _require_served(actor, center, enterprise, field="enterprise")
    _check_product_refs(actor, enterprise, brand, project)
    product = Product(name=(name or "").strip(), category=(category or "").strip(),
                      catalogue_code=(catalogue_code or "").strip(), enterprise=enterprise, center=center,
                      project=project, brand=brand, description=description or "", features=features or "",
                      created_by=_real(actor))
    validated_save(product)
    audit_record(actor=actor, action="create", obj=product, changes={
        "name": [None, product.name], "enterprise": [None, str(enterprise)], "project": [None, product.project_id],
        "catalogue_code": [None, product.catalogue_code]})
    return product


@transaction.atomic
def product_update(*, actor: User | None, product: Product, data: dict[str, Any]) -> Product:
    _require(may_manage_product(actor, product), _("您无权修改该产品：%(p)s") % {"p": product})
    data = dict(data)
    trademarks = data.pop("trademarks", None)
    _check_product_refs(actor, product.enterprise, data.get("brand", product.brand), data.get("project",
                                                                                            product.project))
    changes = model_update(instance=product, data=data, fields=PRODUCT_FIELDS)
    if trademarks is not None:
        trademarks = list(trademarks)
        foreign = [t for t in trademarks if t.holder_id != product.enterprise_id]
        if foreign and not _is_admin(actor):
            raise ApplicationError(_("商标 %(t)s 的注册人不是本企业") % {"t": foreign[0]}, field="trademarks")
        old = sorted(product.trademarks.values_list("pk", flat=True))
        new = sorted(t.pk for t in trademarks)
        if old != new:
            product.trademarks.set(trademarks)
            changes["trademarks"] = [old, new]
    if changes:
        audit_record(actor=actor, action="update", obj=product, changes={
            k: [str(a) if a is not None and not isinstance(a, list) else a,
                str(b) if b is not None and not isinstance(b, list) else b] for k, (a, b) in changes.items()})
    return product


@transaction.atomic
def product_patent_add(*, actor: User | None, product: Product, patent, source: str, deal_id: int | None = None,
                       open_licence_id: int | None = None) -> ProductPatent:
    """A patent covering the product: owned by the enterprise, or licensed/bought through a deal or open licence."""
    _require(may_manage_product(actor, product), _("您无权修改该产品：%(p)s") % {"p": product})
    return patent_link_add(actor=actor, owner=product, link_model=ProductPatent, owner_field="product", patent=patent,
                           source=source, deal_id=deal_id, open_licence_id=open_licence_id,
                           duplicate=_("该专利已登记为本产品的覆盖专利"))


@transaction.atomic
def product_patent_remove(*, actor: User | None, link: ProductPatent) -> None:
    _require(may_manage_product(actor, link.product), _("您无权修改该产品"))
    audit_record(actor=actor, action="update", obj=link.product, changes={"patents": [link.patent_id, None]})
    link.delete()


@transaction.atomic
def product_year_add(*, actor: User | None, product: Product, year: Any, output_value: Any = None,
                     sales: Any = None, patent_revenue_share: Any = None, note: str = "",
                     evidence: UploadedFile | None = None) -> ProductYear:
    """A product's data for one year. One record per year: a second one for the same year is refused."""
    _require(may_manage_product(actor, product), _("您无权填报该产品的数据：%(p)s") % {"p": product})
    year = clean_year(year)
    if product.years.filter(year=year).exists():
        raise ApplicationError(_("%(p)s 的 %(y)s 年度数据已填报，不能重复填报") % {"p": product, "y": year},
                               field="year", code="duplicate")
    record = ProductYear(product=product, year=year, output_value=clean_money(output_value, "output_value"),
                         sales=clean_money(sales, "sales"), patent_revenue_share=clean_share(patent_revenue_share),
                         note=(note or "")[:500])
    if evidence is not None:
        check_upload(evidence, "evidence")
        record.evidence.save(evidence.name, evidence, save=False)
    try:
        with transaction.atomic():
            validated_save(record)
    except IntegrityError:  # a concurrent request filed the same year first
        raise ApplicationError(_("%(p)s 的 %(y)s 年度数据已填报，不能重复填报") % {"p": product, "y": year},
                               field="year", code="duplicate") from None
    audit_record(actor=actor, action="update", obj=product, changes={"year_data": [None, {
        "year": year, "output_value": record.output_value, "sales": record.sales,
        "patent_revenue_share": record.patent_revenue_share}]})
    return record


IMPORT_COLUMNS = {
    "product": ("产品名称", "产品"), "year": ("数据年度", "年度"), "output_value": ("产值（元）", "产值"),
    "sales": ("销售额（元）", "销售额"), "patent_revenue_share": ("专利贡献收入占比（%）", "专利贡献收入占比"),
    "note": ("说明", "备注"),
}


def _cell(row: dict, key: str):
    for header in IMPORT_COLUMNS[key]:
        if header in row and row[header] not in (None, ""):
            value = row[header]
            return value.strip() if isinstance(value, str) else value
    return None


def product_years_import(*, actor: User | None, path: Path, file_name: str = "") -> dict:
    """Import yearly product data from an xlsx/csv: each valid row is saved, each bad row is reported with its
    row number, column and reason (a product the actor may not manage, a year already filed, a bad number)."""
    from ipoc.core.tabular import sheet_rows
    from ipoc.industrialization import selectors

    manageable = {p.name: p for p in selectors.product_list(user=actor) if may_manage_product(actor, p)} \
        if actor is not None else {p.name: p for p in Product.objects.all()}
    created, errors = [], []
    for number, row in sheet_rows(Path(path), max_rows=MAX_IMPORT_ROWS, file_name=file_name or Path(path).name):
        if not created and not errors and not any(h in row for h in (*IMPORT_COLUMNS["product"],
                                                                      *IMPORT_COLUMNS["year"])):
            # not a yearly-data sheet: one clear refusal rather than every row "找不到可填报的产品：（空）"
            raise ApplicationError(_("%(f)s 的表头缺少“产品名称”和“数据年度”列") % {"f": file_name or Path(path).name},
                                   field="file")
        name = _cell(row, "product")
        product = manageable.get(str(name)) if name else None
        if product is None:
            errors.append({"row": number, "field": "产品名称",
                           "message": _("找不到可填报的产品：%(n)s") % {"n": name or "（空）"}})
            continue
        try:
            with transaction.atomic():
                record = product_year_add(actor=actor, product=product, year=_cell(row, "year"),
                                          output_value=_cell(row, "output_value"), sales=_cell(row, "sales"),
                                          patent_revenue_share=_cell(row, "patent_revenue_share"),
                                          note=str(_cell(row, "note") or ""))
            created.append(record.pk)
        except ApplicationError as exc:
            column = {"year": "数据年度", "output_value": "产值（元）", "sales": "销售额（元）",
                      "patent_revenue_share": "专利贡献收入占比（%）"}.get(exc.field or "", exc.field or "")
            errors.append({"row": number, "field": column, "message": exc.message})
    return {"created": len(created), "ids": created, "errors": errors}
