"""产业知识产权运营中心 registry: the center, its status decisions (immutable) and its evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule
from ipoc.core.validators import validate_region_code


class HostType(models.TextChoices):
    LEADING_ENTERPRISE = "leading_enterprise", _("行业龙头企业")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")
    NATIONAL_PARK = "national_park", _("国家级产业园区")
    NATIONAL_ASSOCIATION = "national_association", _("全国性行业协会")
    OTHER = "other", _("其他")


class CenterLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")


class CenterStatus(models.TextChoices):
    BUILDING = "building", _("建设运行中")
    APPLYING = "applying", _("申请认定中")
    RECOGNISED = "recognised", _("已认定")
    RECTIFYING = "rectifying", _("限期整改")
    REVOKED = "revoked", _("已取消资格")
    EXITED = "exited", _("已退出")
    LETTER_SUPPORTED = "letter_supported", _("复函支持")


# from-status → allowed to-statuses. 先建设、后认定；认定后动态管理、有进有出 (rules.BUILD_THEN_RECOGNISE).
CENTER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CenterStatus.BUILDING: (CenterStatus.APPLYING, CenterStatus.EXITED),
    CenterStatus.LETTER_SUPPORTED: (CenterStatus.APPLYING, CenterStatus.BUILDING, CenterStatus.EXITED),
    CenterStatus.APPLYING: (CenterStatus.RECOGNISED, CenterStatus.BUILDING, CenterStatus.EXITED),
    CenterStatus.RECOGNISED: (CenterStatus.RECTIFYING, CenterStatus.REVOKED, CenterStatus.EXITED),
    CenterStatus.RECTIFYING: (CenterStatus.RECOGNISED, CenterStatus.REVOKED, CenterStatus.EXITED),
    CenterStatus.REVOKED: (),
    CenterStatus.EXITED: (),
}
INITIAL_STATUSES = (CenterStatus.BUILDING, CenterStatus.LETTER_SUPPORTED)
# A recognised national center carries the national name while it holds the qualification (incl. 限期整改).
QUALIFIED_STATUSES = (CenterStatus.RECOGNISED, CenterStatus.RECTIFYING)
PUBLIC_STATUSES = (CenterStatus.RECOGNISED,)


class Center(models.Model):
    """一个产业知识产权运营中心 in the registry, tied one-to-one to its staff's organisation."""

    organization = models.OneToOneField("core.Organization", verbose_name=_("运营中心机构"),
                                        on_delete=models.PROTECT, related_name="center_record")
    name = models.CharField(_("运营中心名称"), max_length=200, unique=True)
    host_organization = models.ForeignKey("core.Organization", verbose_name=_("建设主体"), on_delete=models.PROTECT,
                                          related_name="hosted_centers")
    host_type = models.CharField(_("建设主体类型"), max_length=32, choices=HostType.choices)
    industry = models.CharField(_("产业领域"), max_length=100)
    industry_chain = models.CharField(_("产业链"), max_length=200, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=CenterLevel.choices, db_index=True)
    managing_office = models.ForeignKey("core.Organization", verbose_name=_("管理部门"), on_delete=models.PROTECT,
                                        related_name="managed_centers")
    region_code = models.CharField(_("行政区划代码"), max_length=6, validators=[validate_region_code], db_index=True)
    staff_count = models.PositiveIntegerField(_("工作人员数"), null=True, blank=True)
    started_on = models.DateField(_("开始运行日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=CenterStatus.choices, default=CenterStatus.BUILDING,
                              db_index=True)
    branch_flag = models.TextField(_("疑似分中心提示"), blank=True,
                                   help_text=_("名称或建设主体疑似未经批准的分中心，供管理部门核查"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = AccessRule(
        owner_fields=("organization",),
        public_view=Q(status__in=PUBLIC_STATUSES),
        office_view=Q(),
        region_field="region_code",
        assignable=True,
    )

    class Meta:
        verbose_name = _("运营中心")
        verbose_name_plural = _("运营中心")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class DecisionKind(models.TextChoices):
    STATUS_CHANGE = "status_change", _("状态变更")
    CORRECTION = "correction", _("更正")


class ImmutableRecord(Exception):
    pass


class CenterDecision(models.Model):
    """A decision on a center's status: who, when, why, the document. Immutable once written;
    a later correction is a new decision that references the one it corrects."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("类型"), max_length=16, choices=DecisionKind.choices, default=DecisionKind.STATUS_CHANGE)
    from_status = models.CharField(_("原状态"), max_length=20, choices=CenterStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CenterStatus.choices)
    reason = models.TextField(_("理由"))
    document_ref = models.CharField(_("文件名称或文号"), max_length=300)
    document = models.FileField(_("文件"), upload_to="centers/decisions/%Y/", blank=True)
    corrects = models.ForeignKey("self", verbose_name=_("更正的决定"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(_("决定人名称"), max_length=150)
    office = models.ForeignKey("core.Organization", verbose_name=_("决定机关"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name_before = models.CharField(_("决定前名称"), max_length=200, blank=True)
    name_after = models.CharField(_("决定后名称"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    # Everyone sees the recognition of a recognised center; the rest of its history stays with the center
    # and its offices.
    access = AccessRule(owner_fields=("center__organization",),
                        public_view=Q(center__status__in=PUBLIC_STATUSES, to_status__in=PUBLIC_STATUSES),
                        office_view=Q(), region_field="center__region_code")

    class Meta:
        verbose_name = _("运营中心状态决定")
        verbose_name_plural = _("运营中心状态决定")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.center} {self.from_status} → {self.to_status} ({self.document_ref})"

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise ImmutableRecord("运营中心状态决定一经作出不可修改；如需更正，请新建一条引用原决定的更正记录")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("运营中心状态决定不可删除")


class EvidenceKind(models.TextChoices):
    WORK_UNIT = "work_unit", _("工作机构")
    PREMISES = "premises", _("场地")
    PERSONNEL = "personnel", _("人员")
    FUNDING = "funding", _("经费")
    OTHER = "other", _("其他")


class CenterEvidence(models.Model):
    """A declared condition (工作机构、场地、人员、经费) with its evidence attachment."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("条件"), max_length=16, choices=EvidenceKind.choices)
    description = models.TextField(_("说明"))
    file = models.FileField(_("证明材料"), upload_to="centers/evidence/%Y/", blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("center__organization",), office_view=Q(), region_field="center__region_code")

    class Meta:
        verbose_name = _("条件保障材料")
        verbose_name_plural = _("条件保障材料")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.center} · {self.get_kind_display()}"
