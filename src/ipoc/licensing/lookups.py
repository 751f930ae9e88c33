"""Picker lookup ``licensing_patents`` (registered in ``apps.ready``): the patents a patentee may declare — for a
university or enterprise user its own (applicant or current holder), for center staff and administrators every
patent they may see."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ipoc.core.display import patent_label as _patent_label
from ipoc.core.models import Role
from ipoc.patents import selectors as patent_selectors

PATENT_SEARCH = ("publication_number", "application_number", "grant_number", "title")


def declarable_patents(user):
    if user.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER) and not user.is_platform_admin:
        return patent_selectors.patents_held_by(user=user, organization=user.organization)
    return patent_selectors.patent_list(user=user)


def label(patent) -> str:
    return " ".join(x for x in _patent_label(patent) if x)


def sub(patent) -> str:
    parts = [patent.title[:60]] if (patent.publication_number or patent.grant_number) else []
    if patent.get_legal_status_display():
        parts.append(str(patent.get_legal_status_display()))
    else:
        parts.append(_("法律状态未知"))
    return " · ".join(parts)
