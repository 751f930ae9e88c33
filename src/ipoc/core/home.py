"""Home pages as work queues: what waits for each role, with its deadline, and a few key figures.

Domain apps register from their own ``home.py`` (called once in ``AppConfig.ready``)::

    from ipoc.core.home import queue, register_queue, register_home_card

    def pending_demands(user):
        if user.role != Role.CENTER_STAFF or not user.organization_id:
            return None                                   # not this user's queue
        qs = selectors.demand_list(user=user, status="pending").filter(center=user.organization_id)
        return queue(_("待受理的需求"), qs, lambda d: item(d.title, reverse("demand_detail", args=[d.pk]),
                     detail=d.organization.name, due=d.deadline, badge=d.get_status_display(),
                     colour=d.status), url=reverse("demand_list") + "?status=pending", icon="inbox")

    register_queue((Role.CENTER_STAFF,), pending_demands, order=10)

A provider returns ``None`` (the queue does not apply to this user) or a ``WorkQueue`` — or a plain dict
``{title, items, count, url, icon}`` whose items are dicts ``{title, detail, url, due, badge}``. Keep it cheap:
one count and the first few rows (``queue`` does exactly that).

A KPI card (``register_home_card``) is ``card(user) -> {title, value, url, icon?, hint?}`` or ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import status_colour
from ipoc.core.navigation import HOME_CARDS, register_home_card

__all__ = ["QueueItem", "WorkQueue", "home_context", "item", "queue", "register_home_card",
           "register_organization_figure", "register_queue"]

QUEUE_LIMIT = 5
SOON_DAYS = 7  # a deadline this close is shown in orange


@dataclass
class QueueItem:
    """One thing waiting: what it is, where it is done, and by when."""

    title: str
    url: str = ""
    detail: str = ""
    due: dt.date | None = None
    due_label: str = ""  # what the date is ("期限" unless told: "举办", "截止" …)
    badge: str = ""
    colour: str = ""  # a Tabler colour, or a status code that display.status_colour understands

    @property
    def badge_colour(self) -> str:
        if not self.colour:
            return "blue"
        if self.colour in TABLER_COLOURS:
            return self.colour
        return status_colour(self.colour)

    @property
    def days_left(self) -> int | None:
        if self.due is None:
            return None
        due = self.due.date() if isinstance(self.due, dt.datetime) else self.due
        return (due - timezone.localdate()).days

    @property
    def due_state(self) -> str:
        """overdue / soon / later / "" (no deadline)."""
        days = self.days_left
        if days is None:
            return ""
        if days < 0:
            return "overdue"
        return "soon" if days <= SOON_DAYS else "later"

    @property
    def overdue_days(self) -> int:
        days = self.days_left
        return -days if days is not None and days < 0 else 0


TABLER_COLOURS = {"blue", "azure", "indigo", "purple", "pink", "red", "orange", "yellow", "lime", "green", "teal",
                  "cyan", "secondary", "muted"}


@dataclass
class WorkQueue:
    """A card of the home page: a title, how many things wait, the first few, and the list with all of them."""

    title: str
    items: list[QueueItem] = field(default_factory=list)
    count: int = 0
    url: str = ""
    icon: str = "checklist"
    empty: str = ""
    order: int = 100
    info: bool = False  # a list to look at (events to join, recent records), not work waiting: not counted as 待办
    show_count: bool = True

    @property
    def empty_text(self) -> str:
        return self.empty or str(_("暂无待办"))

    @property
    def overdue_count(self) -> int:
        return sum(1 for i in self.items if i.due_state == "overdue")


def item(title, url: str = "", *, detail="", due=None, due_label="", badge="", colour="") -> QueueItem:
    return QueueItem(title=str(title), url=url, detail=str(detail or ""), due=due, due_label=str(due_label or ""),
                     badge=str(badge or ""), colour=colour or "")


def queue(title, qs, make: Callable[[object], QueueItem | dict], *, url: str = "", icon: str = "checklist",
          empty="", limit: int = QUEUE_LIMIT, count: int | None = None) -> WorkQueue:
    """A queue from a queryset (or list): one count and the first ``limit`` rows made into items."""
    if isinstance(qs, list | tuple):
        rows, total = list(qs[:limit]), len(qs) if count is None else count
    else:
        total = qs.count() if count is None else count
        rows = list(qs[:limit]) if total else []
    return WorkQueue(title=str(title), items=[_as_item(make(r)) for r in rows], count=total, url=url, icon=icon,
                     empty=str(empty or ""))


# role → [(order, provider)]
QUEUES: dict[str, list[tuple[int, Callable]]] = {}


def register_queue(roles: Iterable[str], provider: Callable, *, order: int = 100) -> None:
    """Show ``provider(user)`` on the home page of each of ``roles`` (platform administrators: their own)."""
    for role in roles:
        entries = QUEUES.setdefault(str(role), [])
        if all(p is not provider for _o, p in entries):
            entries.append((order, provider))
            entries.sort(key=lambda e: e[0])


def _as_item(value) -> QueueItem:
    if isinstance(value, QueueItem):
        return value
    return item(value.get("title", ""), value.get("url", ""), detail=value.get("detail", ""),
                due=value.get("due"), due_label=value.get("due_label", ""), badge=value.get("badge", ""),
                colour=value.get("colour", ""))


def _as_queue(value, order: int) -> WorkQueue | None:
    if value is None:
        return None
    if isinstance(value, WorkQueue):
        value.order = order
        return value
    items = [_as_item(i) for i in value.get("items", [])]
    return WorkQueue(title=str(value.get("title", "")), items=items[:QUEUE_LIMIT],
                     count=value.get("count", len(items)), url=value.get("url", ""),
                     icon=value.get("icon", "checklist"), empty=str(value.get("empty", "")), order=order)


def format_value(value) -> str:
    """A KPI figure as a person reads it: thousands separated, no trailing zeros."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):  # an amount: two decimals, as money is written
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def queues_for(user, role: str) -> list[WorkQueue]:
    queues = [_as_queue(provider(user), order) for order, provider in QUEUES.get(role, [])]
    queues = [q for q in queues if q is not None]
    # What has work first (in registration order), then the empty ones.
    return sorted(queues, key=lambda q: (q.info, q.count == 0, q.order))


MAX_CARDS = 8  # two rows of four: beyond that a home page is a report, not a glance


def cards_for(user, role: str) -> list[dict]:
    cards = []
    for card in HOME_CARDS.get(role, []):
        if len(cards) >= MAX_CARDS:
            break
        data = card(user)
        if not data:
            continue
        value = data.get("value")
        cards.append({"title": str(data.get("title", "")), "value": format_value(value),
                      "numeric": isinstance(value, int | float | Decimal) and not isinstance(value, bool),
                      "url": data.get("url", ""), "icon": data.get("icon", "chart-bar"),
                      "hint": str(data.get("hint", "") or "")})
    return cards


def home_context(user, role: str) -> dict:
    queues = queues_for(user, role)
    return {"queues": queues, "cards": cards_for(user, role), "today": timezone.localdate(),
            "waiting_total": sum(q.count for q in queues if not q.info)}


# ---------------------------------------------------------------- an organisation's records in other apps

# [(order, provider)]: provider(user, organization) -> {title, value, url, icon} or None
ORGANIZATION_FIGURES: list[tuple[int, Callable]] = []


def register_organization_figure(provider: Callable, *, order: int = 100) -> None:
    """A figure on an organisation's page (its patents, demands, deals …) counted as the reader may see them,
    linked to the list of those records."""
    if all(p is not provider for _o, p in ORGANIZATION_FIGURES):
        ORGANIZATION_FIGURES.append((order, provider))
        ORGANIZATION_FIGURES.sort(key=lambda e: e[0])


def organization_figures(user, organization) -> list[dict]:
    figures = []
    for _order, provider in ORGANIZATION_FIGURES:
        data = provider(user, organization)
        if data:
            figures.append({"title": str(data.get("title", "")), "value": format_value(data.get("value")),
                            "url": data.get("url", ""), "icon": data.get("icon", "file")})
    return figures


# ---------------------------------------------------------------- core's own queues and figures


def _admin_only(fn):
    def wrapper(user):
        return fn(user) if user.is_authenticated and user.is_platform_admin else None
    wrapper.__name__ = fn.__name__
    return wrapper


@_admin_only
def running_jobs(user):
    from django.urls import reverse

    from ipoc.core import selectors
    from ipoc.core.models import JobStatus

    qs = selectors.job_list(user=user).filter(status__in=(JobStatus.PENDING, JobStatus.RUNNING)) \
        .order_by("-created_at")

    def make(job):
        progress = f"{job.percent}%" if job.percent is not None else f"{job.progress_done:,}"
        return item(job.title or _("后台任务 #%(n)s") % {"n": job.pk}, reverse("job_detail", args=[job.pk]),
                    detail=_("进度 %(p)s · 开始于 %(t)s") % {
                        "p": progress, "t": timezone.localtime(job.started_at or job.created_at).strftime("%m-%d %H:%M")},
                    badge=job.get_status_display(), colour=job.status)
    return queue(_("运行中的后台任务"), qs, make, icon="loader", empty=_("当前没有运行中的任务"))


@_admin_only
def failed_jobs(user):
    from django.urls import reverse

    from ipoc.core import selectors
    from ipoc.core.models import JobStatus

    since = timezone.now() - dt.timedelta(days=30)
    qs = selectors.job_list(user=user).filter(status__in=(JobStatus.FAILED, JobStatus.INTERRUPTED),
                                              created_at__gte=since).order_by("-created_at")

    def make(job):
        error = (job.error or "").strip().splitlines()
        return item(job.title or _("后台任务 #%(n)s") % {"n": job.pk}, reverse("job_detail", args=[job.pk]),
                    detail=(error[-1][:80] if error else _("创建于 %(t)s") % {
                        "t": timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M")}),
                    badge=job.get_status_display(), colour=job.status)
    return queue(_("失败或中断的任务（近 30 天）"), qs, make, icon="alert-triangle",
                 empty=_("近 30 天没有失败的任务"))


@_admin_only
def recent_audit(user):
    from django.urls import reverse

    from ipoc.core import selectors
    from ipoc.core.audit_display import audit_rows

    qs = selectors.audit_list(user=user)
    rows = audit_rows(list(qs[:QUEUE_LIMIT]))
    items = [item(r["object_label"] or r["object_type"] or r["message"] or "—", r["object_url"],
                  detail=" · ".join(x for x in (r["object_type"], r["actor"],
                                                timezone.localtime(r["at"]).strftime("%m-%d %H:%M")) if x),
                  badge=r["action"], colour=r["action_colour"]) for r in rows]
    return WorkQueue(title=str(_("最近的操作记录")), items=items, count=len(items), url=reverse("audit_list"),
                     icon="history", empty=str(_("暂无操作记录")), info=True, show_count=False)


def _admin_card(title, value_fn, url_name, icon):
    def card(user):
        from django.urls import reverse

        if not user.is_platform_admin:
            return None
        return {"title": title, "value": value_fn(user), "url": reverse(url_name), "icon": icon}
    card.__name__ = f"admin_card_{url_name}"
    return card


def register() -> None:
    """Core's own home content (called from ``CoreConfig.ready``)."""
    from ipoc.core import selectors
    from ipoc.core.models import AuditEntry, Role, User

    admin = (Role.PLATFORM_ADMIN,)
    register_queue(admin, running_jobs, order=10)
    register_queue(admin, failed_jobs, order=11)
    register_queue(admin, recent_audit, order=90)
    register_home_card(admin, _admin_card(_("组织机构"), lambda u: selectors.organization_list(user=u).count(),
                                          "organization_list", "building"), order=10)
    register_home_card(admin, _admin_card(_("启用的用户账号"), lambda u: User.objects.filter(is_active=True).count(),
                                          "admin:core_user_changelist", "users"), order=15)
    register_home_card(admin, _admin_card(
        _("今日操作记录"), lambda u: AuditEntry.objects.filter(at__date=timezone.localdate()).count(),
        "audit_list", "history"), order=40)
