"""What the pools app puts on home pages: an expert's essentiality evaluations, an administrator's decisions,
conflicts and unpaid statements, a licensee's agreements to sign. Registered from ``PoolsConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_queue
from ipoc.core.models import Role


def expert_evaluations(user):
    from ipoc.pools import selectors

    if user.role != Role.EXPERT:
        return None
    qs = selectors.my_assignments(user).filter(submitted_at__isnull=True).exclude(declaration="conflict")
    return queue(_("专利必要性评估"), qs, lambda a: item(
        f"{a.evaluation.pool_patent}", reverse("pool_evaluation", args=[a.evaluation_id]),
        detail=f"{a.evaluation.pool_patent.pool.name} · {a.evaluation.version}",
        badge=_("待声明利益冲突") if not a.declaration else _("待提交意见"), colour="yellow"),
        url=reverse("pool_list"), icon="scale", empty=_("暂无评估任务"))


def administrator_work(user):
    from ipoc.pools.models import ConflictFlag, Evaluation, Statement

    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    org = user.organization_id
    rows = []
    for ev in (Evaluation.objects.filter(pool_patent__pool__administrator_id=org, status="open")
               .select_related("pool_patent__patent", "pool_patent__pool")[:20]):
        rows.append(item(_("必要性评估：%(p)s") % {"p": ev.pool_patent.patent.number},
                         reverse("pool_evaluation", args=[ev.pk]), detail=ev.pool_patent.pool.name,
                         badge=_("评估中"), colour="yellow"))
    for f in (ConflictFlag.objects.filter(pool_patent__pool__administrator_id=org, resolved_at__isnull=True)
              .select_related("pool_patent__patent", "pool_patent__pool")[:20]):
        rows.append(item(_("冲突提示：%(p)s") % {"p": f.pool_patent.patent.number},
                         reverse("pool_detail", args=[f.pool_patent.pool_id]) + "#conflicts",
                         detail=f.get_kind_display(), badge=_("待处理"), colour="red"))
    for st in (Statement.objects.filter(report__agreement__pool__administrator_id=org, is_current=True,
                                        paid_on__isnull=True, total__gt=0)
               .select_related("report__agreement__licensee")[:20]):
        rows.append(item(_("待收许可费：%(l)s %(p)s") % {"l": st.report.agreement.licensee.name, "p": st.report.period},
                         reverse("pool_report", args=[st.report_id]), detail=_("%(t)s 元") % {"t": f"{st.total:,.2f}"},
                         badge=_("未付款"), colour="blue"))
    return queue(_("专利池待办"), rows, lambda x: x, url=reverse("pool_list"), icon="packages",
                 empty=_("暂无专利池待办"))


def licensee_work(user):
    from ipoc.pools.models import Agreement

    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    qs = Agreement.objects.filter(licensee_id=user.organization_id, status="draft").select_related("pool", "programme")
    if not qs.exists():
        return None
    return queue(_("待签署的专利池许可协议"), qs, lambda a: item(
        f"{a.pool.name} · {a.programme.name}", reverse("pool_agreement_sign", args=[a.pk]),
        badge=_("待签约"), colour="yellow"), url=reverse("pool_list"), icon="writing-sign")


def register() -> None:
    register_queue((Role.EXPERT,), expert_evaluations, order=60)
    register_queue((Role.CENTER_STAFF,), administrator_work, order=60)
    register_queue((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), licensee_work, order=60)
