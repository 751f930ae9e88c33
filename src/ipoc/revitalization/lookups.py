"""Picker lookups of 存量专利盘活 (registered in ``apps.ready``):

- ``own_patents``: the patents the user's institution holds (applicant or current holder) and has not yet
  put on its stock list — numbered or not, each shown by its number or its title with a source badge;
- ``enterprises``: enterprises a center may push a stock patent to.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ipoc.core import selectors as core_selectors
from ipoc.core.display import patent_label as _patent_label
from ipoc.core.models import OrganizationKind
from ipoc.patents import selectors as patent_selectors
from ipoc.revitalization.models import StockPatent

PATENT_SEARCH = ("publication_number", "application_number", "grant_number", "title")


def own_patents(user):
    org = getattr(user, "organization", None)
    qs = patent_selectors.patents_held_by(user=user, organization=org)
    if org is not None:
        qs = qs.exclude(pk__in=StockPatent.objects.filter(institution=org).values("patent"))
    return qs


def patent_label(patent) -> str:
    return " ".join(x for x in _patent_label(patent) if x)


def patent_sub(patent) -> str:
    parts = []
    if patent.publication_number or patent.grant_number:
        parts.append(patent.title[:60])
    if patent.application_date:
        parts.append(_("申请日 %(d)s") % {"d": f"{patent.application_date:%Y-%m-%d}"})
    if patent.get_legal_status_display():
        parts.append(str(patent.get_legal_status_display()))
    if not parts and patent.abstract:
        abstract = patent.abstract.strip()
        parts.append(abstract[:48] + "…" if len(abstract) > 48 else abstract)
    return " · ".join(parts)


def enterprises(user):
    return core_selectors.organization_list(user=user, kind=OrganizationKind.ENTERPRISE)


def region_of(org) -> str:
    from ipoc.core.validators import region_name

    return (region_name(org.region_code) or "") if org.region_code else ""


def institutions(user):
    """Universities and research institutes (a center asks one of them for consent to serve it)."""
    return core_selectors.organization_list(user=user).filter(
        kind__in=(OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE))
