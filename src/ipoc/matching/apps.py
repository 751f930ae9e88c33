from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "ipoc.matching"
    label = "matching"
    verbose_name = _("转化对接")

    def ready(self) -> None:
        from ipoc.matching import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.jobs import register_job
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_menu

        register_menu(MenuEntry(_("供需对接"), "match_home", roles=(Role.CENTER_STAFF, Role.OFFICE_STAFF,
                                                                    Role.ENTERPRISE_USER, Role.INSTITUTION_USER),
                                order=35))
        register_job("matching.batch", "ipoc.matching.services:match_batch_job")
        from ipoc.core.queue import register_chunked_job

        register_chunked_job("matching.batch", plan="ipoc.matching.services:match_batch_plan",
                             chunk="ipoc.matching.services:match_batch_chunk",
                             finish="ipoc.matching.services:match_batch_finish")
        from ipoc.core.display import patent_label
        from ipoc.core.pickers import register_lookup

        register_lookup("listing_patents", queryset=_listing_patents,
                        search=("publication_number", "application_number", "grant_number", "title"),
                        label=lambda p: " ".join(x for x in patent_label(p) if x),
                        sub=lambda p: p.title[:60] if (p.publication_number or p.grant_number) else "")


def _listing_patents(user):
    """The patents a user may list (挂牌): a center's staff any patent they see (代为挂牌), others their own."""
    from ipoc.core.models import Role
    from ipoc.patents import selectors as patent_selectors

    if user.role == Role.CENTER_STAFF or user.is_platform_admin:
        return patent_selectors.patent_list(user=user)
    return patent_selectors.patents_held_by(user=user, organization=user.organization)
