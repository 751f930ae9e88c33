"""用户操作手册: one guide per role, written as templates under ``core/templates/core/help/`` and illustrated
with the screenshot gallery's pictures (``scripts/screenshots.py``), so the guide shows the pages as they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    role: str
    summary: str


GUIDES = {g.slug: g for g in (
    Guide("office", _("知识产权管理部门操作手册"), "office_staff", _("登记、认定审核、年度报告、定期评价与动态管理")),
    Guide("center", _("运营中心操作手册"), "center_staff", _("需求受理、供需匹配、路演对接、交易撮合、存量盘活")),
    Guide("enterprise", _("企业用户操作手册"), "enterprise_user", _("发布技术需求、查看推送与对接进展")),
    Guide("university", _("高校院所操作手册"), "institution_user", _("存量专利建档、盘活进展与意向对接")),
    Guide("expert", _("评审专家操作手册"), "expert", _("评审任务、回避声明与评分")),
    Guide("admin", _("平台管理员手册"), "platform_admin", _("安装、用户与组织、备份与升级")),
)}


def guides_for(role: str) -> list[Guide]:
    """Every guide, the reader's own first."""
    return sorted(GUIDES.values(), key=lambda g: (g.role != role, list(GUIDES).index(g.slug)))
