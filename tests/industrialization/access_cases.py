"""Access-matrix cases (tests/core/test_access_matrix.py) for the industrialization app's write endpoints: for each, a
builder that makes the record with the services, names its owner (whose call must succeed) and the outsiders
who must be refused.

The records: a project of center 甲 (江苏) implemented by 苏州甲科技 (ent_a); a 专利密集型产品 and a brand of
苏州甲科技. Outsiders: the other center or enterprise, 浙江省知识产权局 (another province) and an expert."""

from __future__ import annotations

from tests.core.test_access_matrix import CENTER_OUTSIDERS, YEAR, Call, case

ENTERPRISE_OUTSIDERS = {"other_org": "ent_b", "other_office": "zj_office"}  # for 苏州甲科技's records (江苏)
CREDIT_CODE = "914403001922038216"


def _project(w):
    from ipoc.industrialization import services

    return services.project_create(actor=None, title="纳米涂层产业化", enterprise=w.o["ent_a"], center=w.o["center_a"])


def _product(w, until: str = "registered"):
    """苏州甲科技's product; ``until`` "ready": covered by its own patent, with last year's data and the
    enterprise's credit code (the 备案 checks pass); "prepared": the pack prepared too. Returns (product, filing)."""
    from ipoc.core import services as core_services
    from ipoc.industrialization import services

    product = services.product_create(actor=None, name="热成像云台", category="智能无人飞行器制造",
                                      enterprise=w.o["ent_a"])
    if until == "registered":
        return product, None
    core_services.organization_update(actor=None, organization=w.o["ent_a"], data={"credit_code": CREDIT_CODE})
    services.product_patent_add(actor=None, product=product, patent=w.patents["ent_a"], source="owned")
    services.product_year_add(actor=None, product=product, year=YEAR - 1, output_value="20000000",
                              sales="15000000", patent_revenue_share="45")
    if until == "ready":
        return product, None
    return product, services.filing_prepare(actor=None, product=product, data_year=YEAR - 1)


def _brand(w):
    from ipoc.industrialization import services

    return services.brand_create(actor=None, name="甲云台", holder=w.o["ent_a"])


# -- projects (the center runs them; the implementing enterprise reports outcomes)

@case("POST", "/industrialization/projects")
def _(w):
    # another center opening a project in center 甲's name; offices and experts open none
    return Call("/industrialization/projects", "center_a",
                {"title": "纳米涂层产业化", "enterprise_id": w.o["ent_a"].pk, "center_id": w.o["center_a"].pk},
                **CENTER_OUTSIDERS)


@case("POST", "/industrialization/projects/{project_id}/transition")
def _(w):
    return Call(f"/industrialization/projects/{_project(w).pk}/transition", "center_a",
                {"to_stage": "pilot", "reason": "中试线建成"}, **CENTER_OUTSIDERS)


@case("POST", "/industrialization/projects/{project_id}/patents")
def _(w):
    return Call(f"/industrialization/projects/{_project(w).pk}/patents", "center_a",
                {"patent_id": w.patents["ent_a"].pk, "source": "owned"}, **CENTER_OUTSIDERS)


@case("POST", "/industrialization/projects/{project_id}/outcomes")
def _(w):
    # reported by the implementing enterprise (or its center): another enterprise may not
    return Call(f"/industrialization/projects/{_project(w).pk}/outcomes", "ent_a",
                {"year": YEAR - 1, "output_value": "3000000", "sales": "2000000", "jobs": 12},
                **ENTERPRISE_OUTSIDERS)


# -- 专利密集型产品

@case("POST", "/industrialization/products")
def _(w):
    # registering a product in another enterprise's name
    return Call("/industrialization/products", "ent_a",
                {"name": "热成像云台", "category": "智能无人飞行器制造", "enterprise_id": w.o["ent_a"].pk},
                **ENTERPRISE_OUTSIDERS)


@case("POST", "/industrialization/products/{product_id}/patents")
def _(w):
    product, _filing = _product(w)
    return Call(f"/industrialization/products/{product.pk}/patents", "ent_a",
                {"patent_id": w.patents["ent_a"].pk, "source": "owned"}, **ENTERPRISE_OUTSIDERS)


@case("POST", "/industrialization/products/{product_id}/years")
def _(w):
    product, _filing = _product(w)
    return Call(f"/industrialization/products/{product.pk}/years", "ent_a",
                {"year": YEAR - 1, "output_value": "20000000", "sales": "15000000", "patent_revenue_share": "45"},
                **ENTERPRISE_OUTSIDERS)


@case("POST", "/industrialization/products/{product_id}/filings")
def _(w):
    product, _filing = _product(w, "ready")
    return Call(f"/industrialization/products/{product.pk}/filings", "ent_a", {"data_year": YEAR - 1},
                **ENTERPRISE_OUTSIDERS)


@case("POST", "/industrialization/products/{product_id}/filings/{filing_id}/transition")
def _(w):
    product, filing = _product(w, "prepared")
    return Call(f"/industrialization/products/{product.pk}/filings/{filing.pk}/transition", "ent_a",
                {"to_status": "filed", "platform_reference": "BA-2026-0001"}, **ENTERPRISE_OUTSIDERS)


# -- brands

@case("POST", "/industrialization/brands")
def _(w):
    # registering a brand held by another enterprise
    return Call("/industrialization/brands", "ent_a", {"name": "甲云台", "holder_id": w.o["ent_a"].pk},
                **ENTERPRISE_OUTSIDERS)


@case("POST", "/industrialization/brands/{brand_id}/trademarks")
def _(w):
    return Call(f"/industrialization/brands/{_brand(w).pk}/trademarks", "ent_a",
                {"registration_number": "61234567", "mark": "甲云台", "nice_class": 9, "goods": "热成像仪"},
                **ENTERPRISE_OUTSIDERS)
