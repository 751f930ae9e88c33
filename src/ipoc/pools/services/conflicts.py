"""The conflict check: a pool patent that is also under an exclusive licence, an open licence or a transfer elsewhere."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError
from ipoc.core.models import Role, User
from ipoc.core.services import audit_record, notify
from ipoc.patents import selectors as patent_selectors
from ipoc.pools import engine, selectors
from ipoc.pools.models import (
    ConflictFlag,
    ConflictKind,
    ListingStatus,
    Pool,
    PoolPatent,
)
from ipoc.pools.services.setup import require_admin

# ---------------------------------------------------------------- conflict check


def _selectors_of(app: str):
    """Another app's selectors module, or None while that app has none yet."""
    import importlib

    try:
        return importlib.import_module(f"ipoc.{app}.selectors")
    except ImportError:
        return None


def _optional(module, name: str, **kwargs) -> set[int]:
    fn = getattr(module, name, None) if module is not None else None
    return set(fn(**kwargs)) if callable(fn) else set()


def conflict_sources(patent_ids: set[int], on: dt.date) -> dict[str, set[int]]:
    """Which of ``patent_ids`` the platform's other records put in conflict with a pool listing (apps that are
    still being built answer nothing)."""
    deal_selectors, licensing_selectors = _selectors_of("deals"), _selectors_of("licensing")
    exclusive = _optional(deal_selectors, "exclusive_licence_patent_ids", on_date=on)
    return {ConflictKind.EXCLUSIVE: exclusive & patent_ids,
            ConflictKind.OPEN_LICENCE: set(_optional(licensing_selectors, "open_licence_patent_ids")) & patent_ids,
            ConflictKind.PLEDGE: set(_optional(licensing_selectors, "pledged_patent_ids")) & patent_ids}


@transaction.atomic
def conflicts_refresh(*, actor: User | None, pool: Pool, on: dt.date | None = None) -> list[ConflictFlag]:
    """Flag listed patents under an exclusive licence, an open-licence declaration, a pledge, a transfer after
    listing (or a holder no longer the licensor) or a lapse; notify the administrator of new flags."""
    if actor is not None:
        require_admin(actor, pool)
    on = on or timezone.localdate()
    listings = list(pool.patents.filter(status=ListingStatus.LISTED).select_related("licensor__organization"))
    by_patent = {x.patent_id: x for x in listings}
    found: list[tuple[PoolPatent, str, str]] = []
    deals = _selectors_of("deals")
    for kind, ids in conflict_sources(set(by_patent), on).items():
        for pid in sorted(ids):
            detail = ""
            if kind == ConflictKind.EXCLUSIVE and callable(getattr(deals, "exclusive_licence_deals", None)):
                detail = "；".join(f"{d['kind_label']}：{d['title']}" for d in deals.exclusive_licence_deals(pid, on))
            found.append((by_patent[pid], kind, detail))
    rows = selectors._patent_rows(by_patent)
    for pid, x in by_patent.items():
        r = rows.get(pid)
        if r is None:
            continue
        life = engine.PatentLife(x.pk, r["number"], r["country"], x.licensor_id, **selectors.life_interval(r))
        state = life.state_on(on)
        if state in (engine.EXPIRED, engine.LAPSED):
            found.append((x, ConflictKind.LAPSE, engine.STATE_WORDS[state]))
        held = patent_selectors.patents_held_by(user=None, organization=x.licensor.organization).filter(pk=pid)
        moved = r["last_transfer_date"] and x.listed_on and r["last_transfer_date"] >= x.listed_on
        if moved or not held.exists():
            found.append((x, ConflictKind.TRANSFER, _("最近转让 %(d)s") % {"d": r["last_transfer_date"]}
                          if moved else _("许可人已不是申请人或权利人")))
    new = []
    for listing, kind, detail in found:
        if not ConflictFlag.objects.filter(pool_patent=listing, kind=kind, resolved_at__isnull=True).exists():
            new.append(ConflictFlag.objects.create(pool_patent=listing, kind=kind, detail=detail[:500]))
    if new:
        audit_record(actor=actor, action="update", obj=pool,
                     changes={"conflicts": [None, [f"{f.pool_patent_id}:{f.kind}" for f in new]]})
        admins = User.objects.filter(organization_id=pool.administrator_id, role=Role.CENTER_STAFF, is_active=True)
        notify(users=admins, title=_("专利池冲突提示 %(n)d 条：%(p)s") % {"n": len(new), "p": pool},
               body="；".join(f"{f.pool_patent.patent.number} {f.get_kind_display()}" for f in new[:10]),
               url=f"/pools/{pool.pk}/#conflicts", kind="pool_conflict")
    return new


def patents_changed(ids: list[int]) -> int:
    """After an import changed patents (legal status, lapse, transfer): the conflict check of every pool listing one
    of them, so a lapse or a transfer reaches its administrator. Returns the number of new flags."""
    changed = set(ids or ())
    if not changed:
        return 0
    # listed patents are few and an import may change millions: intersect on the small side (an IN of every
    # changed id is millions of parameters at 3M patents)
    listed = PoolPatent.objects.filter(status=ListingStatus.LISTED).values_list("pool_id", "patent_id")
    pool_ids = sorted({pool_id for pool_id, patent_id in listed.iterator(chunk_size=5000) if patent_id in changed})
    pools = Pool.objects.filter(pk__in=pool_ids).order_by("pk")
    return sum(len(conflicts_refresh(actor=None, pool=pool)) for pool in pools)


@transaction.atomic
def conflict_resolve(*, actor: User | None, flag: ConflictFlag, resolution: str) -> ConflictFlag:
    require_admin(actor, flag.pool_patent.pool)
    if flag.resolved_at is not None:
        raise ApplicationError(_("该冲突提示已处理"), field="flag")
    if not (resolution or "").strip():
        raise ApplicationError(_("请填写处理说明"), field="resolution")
    flag.resolved_at, flag.resolution = timezone.now(), resolution.strip()[:500]
    flag.save(update_fields=["resolved_at", "resolution"])
    audit_record(actor=actor, action="update", obj=flag.pool_patent, changes={"conflict": [flag.kind, "resolved"]},
                 message=flag.resolution)
    return flag
