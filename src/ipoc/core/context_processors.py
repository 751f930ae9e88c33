from django.utils.translation import gettext_lazy as _

from ipoc.core.navigation import menu_for


def navigation(request):
    """The sidebar (grouped menu entries) and the unread-message count for the layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "menu_groups": [], "unread_count": 0}
    menu = menu_for(user)
    groups: list[tuple[str, list]] = []
    for entry in menu:
        if not groups or groups[-1][0] != entry.group:
            groups.append((entry.group, []))
        groups[-1][1].append(entry)
    return {"menu": menu, "menu_groups": groups,
            "unread_count": user.notifications.filter(read_at__isnull=True).count(),
            "role_label": _("平台管理员") if user.is_platform_admin else user.get_role_display()}
