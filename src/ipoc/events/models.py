"""路演推介 / 对接会: events a center organises, who registered and attended, and the intentions signed there."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule


class EventKind(models.TextChoices):
    ROADSHOW = "roadshow", _("路演推介")
    MATCHMAKING = "matchmaking", _("对接会")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


# 草稿 → 已发布 → 已取消 (a draft may also be cancelled; nothing comes back from 已取消)
EVENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    EventStatus.DRAFT: (EventStatus.PUBLISHED, EventStatus.CANCELLED),
    EventStatus.PUBLISHED: (EventStatus.CANCELLED,),
    EventStatus.CANCELLED: (),
}


class Event(models.Model):
    """一场路演推介或对接会. The organising center's staff manage it; every signed-in user sees it once published."""

    kind = models.CharField(_("活动类型"), max_length=16, choices=EventKind.choices, default=EventKind.ROADSHOW)
    title = models.CharField(_("活动名称"), max_length=300)
    description = models.TextField(_("活动简介"), blank=True)
    organizer = models.ForeignKey("core.Organization", verbose_name=_("主办运营中心"), on_delete=models.PROTECT,
                                  related_name="organized_events")
    held_on = models.DateField(_("举办日期"))
    place = models.CharField(_("举办地点"), max_length=300, blank=True)
    online_url = models.URLField(_("线上地址"), blank=True)
    patents = models.ManyToManyField("patents.Patent", verbose_name=_("推介专利"), blank=True,
                                     related_name="presented_at_events")
    demands = models.ManyToManyField("demands.Demand", verbose_name=_("对接需求"), blank=True,
                                     related_name="presented_at_events")
    status = models.CharField(_("状态"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = AccessRule(
        owner_fields=("organizer",),
        public_view=Q(status=EventStatus.PUBLISHED),
        office_view=~Q(status=EventStatus.DRAFT),
        region_field="organizer__region_code",
    )

    class Meta:
        verbose_name = _("路演对接活动")
        verbose_name_plural = _("路演对接活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not (self.place or "").strip() and not (self.online_url or "").strip():
            raise ValidationError({"place": _("请填写举办地点或线上地址")})


class EventRegistration(models.Model):
    """一家单位报名参加活动, and whether it attended (未确认 until the organiser records it)."""

    event = models.ForeignKey(Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey("core.Organization", verbose_name=_("报名单位"), on_delete=models.PROTECT,
                                     related_name="event_registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报名人"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    attended = models.BooleanField(_("是否出席"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    access = AccessRule(owner_fields=("event__organizer", "organization"), office_view=Q(),
                        region_field="event__organizer__region_code")

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["registered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "organization"], name="event_registration_unique")]

    def __str__(self) -> str:
        return f"{self.event} · {self.organization}"


class EventOutcome(models.Model):
    """活动成果：一对单位在活动上签订的合作意向, with the patents it concerns."""

    event = models.ForeignKey(Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="outcomes")
    party_a = models.ForeignKey("core.Organization", verbose_name=_("供给方"), on_delete=models.PROTECT,
                                related_name="+")
    party_b = models.ForeignKey("core.Organization", verbose_name=_("需求方"), on_delete=models.PROTECT,
                                related_name="+")
    patents = models.ManyToManyField("patents.Patent", verbose_name=_("涉及专利"), blank=True, related_name="+")
    note = models.TextField(_("意向说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("event__organizer", "party_a", "party_b"), office_view=Q(),
                        region_field="event__organizer__region_code")

    class Meta:
        verbose_name = _("签约意向")
        verbose_name_plural = _("签约意向")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.party_a} ↔ {self.party_b}"

    def clean(self) -> None:
        if self.party_a_id and self.party_a_id == self.party_b_id:
            raise ValidationError({"party_b": _("意向双方不能是同一单位")})
