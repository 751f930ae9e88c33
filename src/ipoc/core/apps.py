from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ipoc.core"
    label = "core"
    verbose_name = _("组织、用户与审计")

    def ready(self) -> None:
        from django.core import checks

        from ipoc.core import db_router, home

        checks.register(db_router.check_replica, checks.Tags.database)  # `ipoc check --database replica`
        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.security import connect_signals

        connect_signals()
        from ipoc.core import selectors
        from ipoc.core.models import Role, User
        from ipoc.core.pickers import register_lookup

        register_lookup("organizations", queryset=lambda user: selectors.organization_list(user=user),
                        search=("name", "credit_code"), sub=lambda o: o.get_kind_display(), order_by=("name",))
        def visible_users(user):
            qs = User.objects.filter(is_active=True).select_related("organization")
            if user.is_platform_admin:
                return qs
            if user.organization_id is None:  # an expert: no colleagues (not everyone without an organisation)
                return qs.filter(pk=user.pk)
            return qs.filter(organization_id=user.organization_id)

        register_lookup("users", queryset=visible_users,
                        search=("username", "display_name", "organization__name"),
                        sub=lambda u: f"{u.get_role_display()} · {u.organization or ''}", order_by=("username",))
        def visible_experts(user):
            # The expert pool is for the offices that assign reviews (and administrators), not for everyone.
            qs = User.objects.filter(is_active=True, role=Role.EXPERT).select_related("organization")
            return qs if user.is_platform_admin or user.role == Role.OFFICE_STAFF else qs.none()

        register_lookup("experts", queryset=visible_experts,
                        search=("username", "display_name", "organization__name"),
                        sub=lambda u: str(u.organization or ""), order_by=("display_name", "username"))
