"""KPI providers for the annual report's 强化产业协同 lines (创新联合体 and 大手拉小手), each naming its records.

- 创新联合体成员单位数: distinct organisations with a membership in force at some time in the year in a consortium
  the center organised; records: the organisations, then the memberships.
- 年度联合攻关项目数: the center's consortia's joint projects under way in the year, not 已终止.
- 年度联合创造专利数: distinct patents those projects (not 已终止) produced with an application date in the year;
  records: the patents, then the project–patent links.
- 年度“大手拉小手”服务中小企业数: distinct SMEs in the service records dated in the year; records: the SMEs, then
  the service records.

The same service records also feed the center's 年度服务中小企业数 (``SMES_SERVED``): the provider already
registered (demands handled by the center) is kept and the SMEs served through consortia are added to it.
"""

from __future__ import annotations


def _figure(key: str):
    def provider(center, year: int):
        from ipoc.alliances import selectors
        from ipoc.centers.kpi import KpiFigure

        data = selectors.figures(center.organization_id, year)[key]
        return KpiFigure(data["value"], data["unit"], data["refs"])

    provider.__name__ = f"consortium_{key}"
    return provider


consortium_members = _figure("members")
consortium_joint_projects = _figure("joint_projects")
consortium_joint_patents = _figure("joint_patents")
consortium_smes_served = _figure("smes_served")


def with_consortium_smes(previous):
    """``SMES_SERVED`` = the previous provider's SMEs ∪ the SMEs served through the center's consortia."""

    def smes_served(center, year: int):
        from ipoc.alliances import selectors
        from ipoc.centers.kpi import KpiFigure

        base = previous(center, year) if previous is not None else None
        refs = list(base.record_refs) if base is not None else []
        orgs = {i for m, i in refs if m == "core.organization"}
        ours = selectors.smes_served_ids(center.organization_id, year)
        new_orgs = [o for o in ours if o not in orgs]
        service_ids = sorted(selectors.counted_sme_services(center.organization_id, year)
                             .values_list("pk", flat=True))
        refs = ([("core.organization", o) for o in sorted(orgs | set(ours))]
                + [r for r in refs if r[0] != "core.organization"]
                + [("alliances.smeservice", pk) for pk in service_ids])
        value = (base.value if base is not None else 0) + len(new_orgs)
        return KpiFigure(value, base.unit if base is not None else "家", refs)

    smes_served.alliances_wrapped = True
    return smes_served


def register() -> bool:
    """Register with ipoc.centers.kpi when that app is installed; False when it is not."""
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    for code, fn in ((kpi.CONSORTIUM_MEMBERS, consortium_members),
                     (kpi.CONSORTIUM_JOINT_PROJECTS, consortium_joint_projects),
                     (kpi.CONSORTIUM_JOINT_PATENTS, consortium_joint_patents),
                     (kpi.CONSORTIUM_SMES_SERVED, consortium_smes_served)):
        kpi.register_kpi_provider(code, kpi.KPI_LABELS[code], fn)
    current = kpi.KPI_PROVIDERS.get(kpi.SMES_SERVED)
    if current is None or not getattr(current.fn, "alliances_wrapped", False):
        previous = current.fn if current is not None else None
        kpi.register_kpi_provider(kpi.SMES_SERVED, kpi.KPI_LABELS[kpi.SMES_SERVED], with_consortium_smes(previous))
    return True
