"""The main menu: one list of entries, each shown to the roles it names.

Domain apps add their entries in their ``AppConfig.ready`` with ``register_menu``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ipoc.core.models import Role

ALL_ROLES = tuple(Role.values)


# Sidebar groups by menu order: entries below 20 are the work bench, 20–29 patents and centers, …
GROUPS = ((0, _("工作台")), (20, _("专利与中心")), (30, _("转化运营")), (50, _("产业协同与产业化")), (60, _("专业服务")),
          (90, _("系统")))

# Tabler icon (https://tabler.io/icons, the installed @tabler/icons-webfont) per menu entry.
ICONS = {
    "home": "layout-dashboard", "patent_list": "file-certificate", "search": "search",
    "valuation_run_list": "scale", "center_list": "building-community", "center_dashboard": "chart-bar",
    "center_application_list": "clipboard-check", "center_report_list": "report", "center_review_list": "gavel",
    "demand_list": "bulb", "match_home": "arrows-exchange", "event_list": "presentation",
    "deal_list": "briefcase", "deal_statistics": "chart-pie", "stock_list": "archive",
    "stock_push_list": "send", "organization_list": "building", "notification_list": "bell",
    "audit_list": "history", "help": "help", "job_list": "list-check",
    "pool_list": "stack-2", "consortium_list": "users-group", "industrialization_project_list": "building-factory-2",
    "licensing_home": "license", "risk_check_list": "shield-search", "analytics_set_list": "chart-dots-3",
}


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: tuple[str, ...] = ALL_ROLES
    order: int = 100

    @property
    def icon(self) -> str:
        return ICONS.get(self.url_name, "point")

    @property
    def group(self) -> str:
        label = GROUPS[0][1]
        for start, name in GROUPS:
            if self.order >= start:
                label = name
        return label


MENU: list[MenuEntry] = [
    MenuEntry(_("首页"), "home", order=0),
    MenuEntry(_("组织机构"), "organization_list", order=90),
    MenuEntry(_("消息"), "notification_list", order=95),
    MenuEntry(_("审计日志"), "audit_list", roles=(Role.PLATFORM_ADMIN,), order=190),
    MenuEntry(_("后台任务"), "job_list", roles=(Role.PLATFORM_ADMIN,), order=191),
]


def register_menu(entry: MenuEntry) -> None:
    if all(e.url_name != entry.url_name for e in MENU):
        MENU.append(entry)
        MENU.sort(key=lambda e: e.order)


def menu_for(user) -> list[MenuEntry]:
    if not user.is_authenticated:
        return []
    if user.is_platform_admin:
        return list(MENU)
    return [e for e in MENU if user.role in e.roles]


# Cards each domain app adds to home pages: role → callables(user) → dict(title, value, url, icon?, hint?) or
# None, kept in ``order`` (lower first; equal orders in registration order).
HOME_CARDS: dict[str, list] = {}
_CARD_ORDER: dict = {}


def register_home_card(roles, card, *, order: int = 100) -> None:
    _CARD_ORDER[card] = order
    for role in roles:
        cards = HOME_CARDS.setdefault(role, [])
        if card not in cards:
            cards.append(card)
            cards.sort(key=lambda c: _CARD_ORDER.get(c, 100))
