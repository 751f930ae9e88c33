"""What the pickers of this app may offer (``/api/v1/lookups/<kind>``), restricted to what the user may see."""

from ipoc.industrialization import selectors


def deals(user):
    from ipoc.deals import selectors as deal_selectors

    return deal_selectors.deal_list(user=user).order_by("-signed_date", "-id")


def deal_sub(deal) -> str:
    return f"{deal.get_deal_type_display()} · {deal.get_stage_display()}"


def projects(user):
    return selectors.project_list(user=user)


def project_sub(project) -> str:
    return f"{project.enterprise.name} · {project.get_stage_display()}"


def brands(user):
    return selectors.brand_list(user=user)
