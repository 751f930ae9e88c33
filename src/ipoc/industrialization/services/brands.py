"""Brands and trademarks (品牌) of the enterprises a center serves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, Role, User
from ipoc.core.services import audit_record, validated_save
from ipoc.industrialization.models import (
    Brand,
    BrandAward,
    Trademark,
)
from ipoc.industrialization.services.common import _require, clean_year, may_manage_brand
from ipoc.industrialization.services.products import _require_served

# ---------------------------------------------------------------- brands


@transaction.atomic
def brand_create(*, actor: User | None, name: str, holder: Organization | None = None, description: str = "",
                 center: Organization | None = None) -> Brand:
    if actor is not None and not actor.is_platform_admin:
        if actor.role == Role.CENTER_STAFF:
            center = actor.organization
        elif actor.organization_id and actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
            if holder is not None and holder.pk != actor.organization_id:
                raise PermissionDenied(_("只能登记本单位的品牌"), field="holder")
            holder = actor.organization
        else:
            raise PermissionDenied(_("只有企业或运营中心可以登记品牌"))
    if holder is None:
        raise ApplicationError(_("请选择品牌持有人"), field="holder")
    _require_served(actor, center, holder, field="holder")
    if Brand.objects.filter(holder=holder, name=(name or "").strip()).exists():
        raise ApplicationError(_("%(o)s 已有品牌“%(n)s”") % {"o": holder, "n": name}, field="name")
    brand = Brand(name=(name or "").strip(), holder=holder, center=center, description=description or "")
    validated_save(brand)
    audit_record(actor=actor, action="create", obj=brand, changes={"name": [None, brand.name],
                                                                   "holder": [None, str(holder)]})
    return brand


@transaction.atomic
def trademark_add(*, actor: User | None, brand: Brand, registration_number: str, mark: str, nice_class: Any,
                  goods: str = "", status: str = "registered", valid_until: dt.date | None = None,
                  holder: Organization | None = None) -> Trademark:
    """A trademark of the brand: 注册号 (digits), 尼斯分类 1–45, goods, holder (the brand's holder by default)."""
    _require(may_manage_brand(actor, brand), _("您无权修改该品牌：%(b)s") % {"b": brand})
    number = (registration_number or "").strip().replace(" ", "")
    if not number.isdecimal() or len(number) > 20:
        raise ApplicationError(_("商标注册号应为数字：%(n)s") % {"n": registration_number}, field="registration_number")
    try:
        cls = int(str(nice_class).strip().removeprefix("第").removesuffix("类"))
    except (TypeError, ValueError):
        raise ApplicationError(_("商标类别应为 1–45 的整数：%(c)s") % {"c": nice_class}, field="nice_class") from None
    if not 1 <= cls <= 45:
        raise ApplicationError(_("商标类别应为 1–45 的整数：%(c)s") % {"c": nice_class}, field="nice_class")
    if Trademark.objects.filter(registration_number=number).exists():
        raise ApplicationError(_("注册号 %(n)s 已登记") % {"n": number}, field="registration_number")
    tm = Trademark(brand=brand, registration_number=number, mark=(mark or "").strip(), nice_class=cls,
                   goods=goods or "", status=status, valid_until=valid_until, holder=holder or brand.holder)
    validated_save(tm)
    audit_record(actor=actor, action="update", obj=brand, changes={"trademarks": [None, [number, cls]]})
    return tm


@transaction.atomic
def brand_award_add(*, actor: User | None, brand: Brand, title: str, year: Any, awarded_by: str = "") -> BrandAward:
    _require(may_manage_brand(actor, brand), _("您无权修改该品牌：%(b)s") % {"b": brand})
    award = BrandAward(brand=brand, title=(title or "").strip(), year=clean_year(year), awarded_by=awarded_by or "")
    validated_save(award)
    audit_record(actor=actor, action="update", obj=brand, changes={"awards": [None, [award.title, award.year]]})
    return award
