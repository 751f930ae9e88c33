"""The main menu: one list of entries, each shown to the roles it names.

Domain apps add their entries in their ``AppConfig.ready`` with ``register_menu``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ipoc.core.models import Role

ALL_ROLES = tuple(Role.values)


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: tuple[str, ...] = ALL_ROLES
    order: int = 100


MENU: list[MenuEntry] = [
    MenuEntry(_("首页"), "home", order=0),
    MenuEntry(_("组织机构"), "organization_list", order=90),
    MenuEntry(_("消息"), "notification_list", order=95),
    MenuEntry(_("审计日志"), "audit_list", roles=(Role.PLATFORM_ADMIN,), order=190),
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


# Cards each domain app adds to home pages: role → callables(user) → dict(title, value, url) or None
HOME_CARDS: dict[str, list] = {}


def register_home_card(roles, card) -> None:
    for role in roles:
        if card not in HOME_CARDS.setdefault(role, []):
            HOME_CARDS[role].append(card)
