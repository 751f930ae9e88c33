"""Writes for 技术需求: create, edit, and move through the status workflow, each audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import CHANGE, VIEW, can, require, require_role, restrict
from ipoc.core.services import audit_record, model_update, organizations_ensure, validated_save
from ipoc.demands.importers import DemandRow, RowError, read_rows
from ipoc.demands.models import (
    DEMAND_TRANSITIONS,
    DealMode,
    Demand,
    DemandKind,
    DemandStatus,
    DemandStatusChange,
)

EDITABLE_FIELDS = ("kind", "title", "description", "industry", "industry_code", "keywords", "modes", "budget_text",
                   "budget_min", "budget_max", "region_code", "deadline", "contact_name", "contact_phone",
                   "contact_email", "center")
MAX_BUDGET_YUAN = Decimal("100000000000")  # 1,000 亿元: anything above is a typo, not a budget


# Bounds of a demand's free text: the longest description of the 607 real demands has 1,061 characters, and a
# 5.7 MB demand (description and 50,000 keywords) held the matching request 74 s.
MAX_DESCRIPTION_CHARS = 10_000
MAX_KEYWORDS = 50
MAX_KEYWORD_CHARS = 50


def _check_fields(data: dict[str, Any]) -> None:
    description = data.get("description") or ""
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise ApplicationError(_("需求描述最多 %(n)s 字（现有 %(m)s 字）")
                               % {"n": f"{MAX_DESCRIPTION_CHARS:,}", "m": f"{len(description):,}"}, field="description")
    keywords = data.get("keywords") or []
    if len(keywords) > MAX_KEYWORDS:
        raise ApplicationError(_("关键词最多 %(n)s 个（现有 %(m)s 个）") % {"n": MAX_KEYWORDS, "m": len(keywords)},
                               field="keywords")
    for word in keywords:
        if len(str(word)) > MAX_KEYWORD_CHARS:
            raise ApplicationError(_("每个关键词最多 %(n)s 字：%(w)s…") % {"n": MAX_KEYWORD_CHARS, "w": str(word)[:20]},
                                   field="keywords")
    for mode in data.get("modes") or []:
        if mode not in DealMode.values:
            raise ApplicationError(_("未知的合作方式：%(m)s") % {"m": mode}, field="modes")
    for name in ("budget_min", "budget_max"):
        value = data.get(name)
        if value is not None and not (Decimal(0) <= Decimal(value) <= MAX_BUDGET_YUAN):
            raise ApplicationError(_("预算金额超出合理范围（0 至 1000 亿元）：%(v)s") % {"v": value}, field=name)
    lo, hi = data.get("budget_min"), data.get("budget_max")
    if lo is not None and hi is not None and Decimal(lo) > Decimal(hi):
        raise ApplicationError(_("预算下限不能高于上限"), field="budget_min")
    center = data.get("center")
    if center is not None and center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("受理机构必须是产业知识产权运营中心"), field="center")


def may_file_for(actor: User | None, organization: Organization) -> bool:
    """Whether ``actor`` may create (or import) a demand in ``organization``'s name — the ownership rule:

    * the system (actor None) and platform administrators: any organisation;
    * every user: their own organisation;
    * center staff, besides their own center: an institution the center serves through an accepted
      service relation (存量专利盘活); an organisation that chose the center — its own users filed a demand
      this center handles; and an organisation with no user accounts on the platform, which cannot speak
      for itself there (代录 of a demand the center collected). An organisation whose users are on the
      platform and that the center does not serve files its own demands.
    """
    if actor is None or actor.is_platform_admin:
        return True
    if actor.organization_id is not None and actor.organization_id == organization.pk:
        return True
    if actor.role != Role.CENTER_STAFF or actor.organization_id is None:
        return False
    from ipoc.revitalization.services import serves

    if serves(actor, organization):
        return True
    if Demand.objects.filter(organization=organization, center_id=actor.organization_id,
                             created_by__organization=organization).exists():
        return True
    return not User.objects.filter(organization=organization).exists()


def _refuse_owner(organization: Organization) -> None:
    raise ApplicationError(
        _("不能以“%(o)s”的名义发布需求：该单位已有平台账号，且本运营中心未为其提供服务（可由该单位自行发布并选择本中心受理）")
        % {"o": organization.name}, field="organization", status=403, code="permission_denied")


def _owner_for(actor: User | None, organization: Organization | None) -> Organization:
    """Enterprise and institution users file for their own organisation; center staff and admins name one
    (center staff only one ``may_file_for`` allows)."""
    if actor is not None and actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
        if organization is not None and organization.pk != actor.organization_id:
            raise ApplicationError(_("只能为本单位提交需求"), field="organization", status=403,
                                   code="permission_denied")
        return actor.organization
    if organization is None:
        raise ApplicationError(_("请指定需求方"), field="organization")
    if not may_file_for(actor, organization):
        _refuse_owner(organization)
    return organization


@transaction.atomic
def demand_create(*, actor: User | None, title: str, organization: Organization | None = None,
                  source: str = "manual", source_key: str = "", status: str = DemandStatus.DRAFT,
                  **fields: Any) -> Demand:
    if actor is not None:
        require_role(actor, Role.ENTERPRISE_USER, Role.INSTITUTION_USER, Role.CENTER_STAFF)
    owner = _owner_for(actor, organization)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _check_fields(fields)
    if "kind" not in fields and owner.kind in (OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE):
        fields["kind"] = DemandKind.INSTITUTION
    if actor is not None and actor.role == Role.CENTER_STAFF and not fields.get("center"):
        fields["center"] = actor.organization
    demand = Demand(title=(title or "").strip(), organization=owner, source=source, source_key=source_key,
                    status=status, created_by=actor if actor and actor.pk else None, **fields)
    if status in (DemandStatus.PUBLISHED, DemandStatus.MATCHING):
        demand.published_at = timezone.now()
    validated_save(demand)
    DemandStatusChange.objects.create(demand=demand, from_status="", to_status=status,
                                      actor=demand.created_by, reason=_("创建"))
    audit_record(actor=actor, action="create", obj=demand,
                 changes={"title": [None, demand.title], "organization": [None, str(owner)],
                          "status": [None, status]})
    return demand


@transaction.atomic
def demand_update(*, actor: User | None, demand: Demand, data: dict[str, Any]) -> Demand:
    if actor is not None:
        require(actor, CHANGE, demand)
    _check_fields(data)
    changes = model_update(instance=demand, data=data, fields=EDITABLE_FIELDS)
    if changes:
        audit_record(actor=actor, action="update", obj=demand, changes=changes)
    return demand


# Who may make which move: owners submit and close; the handling center (or an admin) reviews and publishes.
REVIEW_MOVES = {(DemandStatus.PENDING, DemandStatus.PUBLISHED), (DemandStatus.PENDING, DemandStatus.DRAFT),
                (DemandStatus.PUBLISHED, DemandStatus.MATCHING), (DemandStatus.MATCHING, DemandStatus.PUBLISHED)}


@transaction.atomic
def demand_transition(*, actor: User | None, demand: Demand, to_status: str, reason: str = "") -> Demand:
    """Move a demand along 草稿 → 待审核 → 已发布 → 对接中 → 已解决/已关闭, recording who, when and why."""
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if actor is not None:
        require(actor, CHANGE, demand)
    allowed = DEMAND_TRANSITIONS.get(demand.status, ())
    if to_status not in allowed:
        raise ApplicationError(
            _("需求状态不能从“%(a)s”变为“%(b)s”") % {"a": demand.get_status_display(),
                                                    "b": DemandStatus(to_status).label if to_status in
                                                    DemandStatus.values else to_status},
            field="status", code="invalid_transition")
    move = (demand.status, to_status)
    if actor is not None and move in REVIEW_MOVES and not actor.is_platform_admin:
        if actor.role != Role.CENTER_STAFF or actor.organization_id != demand.center_id:
            raise ApplicationError(_("只有受理该需求的运营中心可以审核、发布或开始对接"), field="status",
                                   status=403, code="permission_denied")
    if move == (DemandStatus.PENDING, DemandStatus.DRAFT) and not reason:
        raise ApplicationError(_("退回修改必须说明理由"), field="reason")
    previous = demand.status
    demand.status = to_status
    if to_status == DemandStatus.PUBLISHED and demand.published_at is None:
        demand.published_at = timezone.now()
    demand.save(update_fields=["status", "published_at", "updated_at"])
    DemandStatusChange.objects.create(demand=demand, from_status=previous, to_status=to_status,
                                      actor=actor if actor and actor.pk else None, reason=reason)
    audit_record(actor=actor, action="transition", obj=demand, changes={"status": [previous, to_status]},
                 message=reason)
    _notify_transition(demand, previous, reason, actor)
    return demand


def _notify_transition(demand: Demand, previous: str, reason: str, actor: User | None) -> None:
    """Tell the next hand: the accepting center's staff of a submitted demand, the owner of its review."""
    from ipoc.core.services import notify

    url = f"/demands/{demand.pk}/"
    by_center = actor is not None and actor.organization_id == demand.center_id
    if demand.status == DemandStatus.PENDING and demand.center_id and not by_center:
        notify(users=User.objects.filter(organization_id=demand.center_id, role=Role.CENTER_STAFF, is_active=True),
               kind="demand", url=url, title=_("新需求待受理：%(t)s") % {"t": demand.title},
               body=_("%(o)s 提交了技术需求，请受理并发布，或退回补正。") % {"o": demand.organization.name})
    elif previous == DemandStatus.PENDING and demand.status in (DemandStatus.PUBLISHED, DemandStatus.DRAFT):
        owners = User.objects.filter(organization_id=demand.organization_id, is_active=True)
        if demand.status == DemandStatus.PUBLISHED:
            title = _("需求已受理并发布：%(t)s") % {"t": demand.title}
        else:
            title = _("需求被退回补正：%(t)s") % {"t": demand.title}
        notify(users=owners, kind="demand", url=url, title=title, body=reason)


def demand_allowed_moves(*, actor: User, demand: Demand) -> list[str]:
    """The statuses ``actor`` may move ``demand`` to now (what ``demand_transition`` would accept)."""
    from ipoc.core.permissions import can

    if not can(actor, CHANGE, demand):
        return []
    reviewer = actor.is_platform_admin or (actor.role == Role.CENTER_STAFF
                                           and actor.organization_id == demand.center_id)
    return [s for s in DEMAND_TRANSITIONS.get(demand.status, ())
            if reviewer or (demand.status, s) not in REVIEW_MOVES]


@transaction.atomic
def demand_submit(*, actor: User | None, demand: Demand) -> Demand:
    """发布需求 in one step: a draft goes to its accepting center (待审核, the center's staff are told);
    when the actor is that center's staff, the center accepts and publishes it at once."""
    if not demand.center_id:
        raise ApplicationError(_("请选择受理该需求的运营中心"), field="center")
    if demand.status == DemandStatus.DRAFT:
        demand = demand_transition(actor=actor, demand=demand, to_status=DemandStatus.PENDING)
    if demand.status == DemandStatus.PENDING and actor is not None and (
            actor.is_platform_admin or (actor.role == Role.CENTER_STAFF and actor.organization_id == demand.center_id)):
        demand = demand_transition(actor=actor, demand=demand, to_status=DemandStatus.PUBLISHED,
                                   reason=_("运营中心代录并发布"))
    return demand


# ---------------------------------------------------------------- bulk import

UNNAMED_REQUESTER = "未具名需求方（平台代录）"
DUPLICATE_THRESHOLD = 0.75  # Jaccard similarity of title character bigrams


def _title_shingles(title: str) -> frozenset[str]:
    """Character bigrams of a title without bracketed tags (【寻求合作】) and punctuation."""
    import re

    text = re.sub(r"【[^】]*】|\[[^\]]*\]", "", title)
    text = re.sub(r"[\s\W_]+", "", text.lower())
    return frozenset(text[i:i + 2] for i in range(max(len(text) - 1, 1)))


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _is_named_organization(name: str) -> bool:
    """Masked names (管理员用户), people (王先生, 李) and short strings are not organisations."""
    if len(name) < 4 or name in ("管理员用户",) or "*" in name or "某" in name:
        return False
    return any(k in name for k in ("公司", "集团", "厂", "政府", "大学", "学院", "研究", "中心", "协会", "管委会"))


def _import_refusal(actor: User | None, existing: Demand | None, owner: Organization) -> str:
    """Why an import row may not land ("" when it may): it would change a demand the actor may not change,
    or file a new one in the name of an organisation the actor may not file for."""
    if actor is None:
        return ""
    if existing is not None:
        return "" if can(actor, CHANGE, existing) else _("该行对应的需求不归本单位管理，导入不能修改它")
    if not may_file_for(actor, owner):
        return _("需求方“%(o)s”已有平台账号，且本运营中心未为其提供服务，不能以其名义导入需求") % {"o": owner.name}
    return ""


IMPORT_CHUNK = 200  # rows per transaction: a concurrent edit waits for one chunk at most, never the whole file
CHUNK_PAUSE = 0.15  # seconds a background import rests between chunks, so waiting writers get SQLite's lock
REPORT_KEPT = 1000  # rejected rows (and duplicates) kept in the report; the counts count them all


class TitleIndex:
    """Near-duplicate titles (Jaccard similarity of character bigrams ≥ ``threshold``) without comparing a
    new title with every known one — prefix filtering: with the bigrams of every set in one fixed global
    order (rarest first), two sets with similarity ≥ t always share a bigram among the first
    ``|s| - ceil(t·|s|) + 1`` of each, so only titles sharing such a bigram are compared. Exact: the best
    match found is the one a comparison with every title finds (ties: the earliest added)."""

    def __init__(self, threshold: float, items: list[tuple[int, str, frozenset[str]]]) -> None:
        from collections import Counter

        self.threshold = threshold
        self.frequency = Counter(token for _pk, _title, tokens in items for token in tokens)
        self.items: list[tuple[int, str, frozenset[str]]] = []
        self.postings: dict[str, list[int]] = {}
        for item in items:
            self.add(*item)

    def _prefix(self, tokens: frozenset[str]) -> list[str]:
        import math

        ordered = sorted(tokens, key=lambda t: (self.frequency.get(t, 0), t))
        keep = len(ordered) - math.ceil(self.threshold * len(ordered) - 1e-9) + 1
        return ordered[:max(keep, 1)]

    def add(self, pk: int, title: str, tokens: frozenset[str]) -> None:
        index = len(self.items)
        self.items.append((pk, title, tokens))
        for token in self._prefix(tokens):
            self.postings.setdefault(token, []).append(index)

    def best(self, tokens: frozenset[str]) -> tuple[int, str, float] | None:
        if not tokens:
            return None
        candidates = sorted({i for token in self._prefix(tokens) for i in self.postings.get(token, ())})
        best = None
        for i in candidates:
            pk, title, other = self.items[i]
            score = _similarity(tokens, other)
            if best is None or score > best[2]:
                best = (pk, title, score)
        return best if best is not None and best[2] >= self.threshold else None


def _import_scope(actor: User | None, center: Organization | None) -> tuple[Organization | None, Organization | None]:
    """Who may import, the accepting center (center staff: their own) and the organisation enterprise and
    institution users import for."""
    if actor is not None:
        require_role(actor, Role.ENTERPRISE_USER, Role.INSTITUTION_USER, Role.CENTER_STAFF)
        if actor.role == Role.CENTER_STAFF:
            center = actor.organization
    if center is not None and center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("受理机构必须是产业知识产权运营中心"), field="center")
    own_org = actor.organization if actor is not None and actor.role in (Role.ENTERPRISE_USER,
                                                                          Role.INSTITUTION_USER) else None
    return center, own_org


def demand_import_start(*, actor: User | None, path, center: Organization | None = None,
                        file_name: str | None = None):
    """Check who imports and that the file can be read at all (a refused file is deleted at once), then
    create the ``demands.import`` job; the caller starts it (``job_start_background``) or runs it."""
    from ipoc.core.jobs import job_create
    from ipoc.core.tabular import sheet_rows
    from ipoc.core.uploads import discarded_on_error

    path = Path(path)
    name = file_name or path.name
    with discarded_on_error(path):
        center, _own = _import_scope(actor, center)
        if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
            raise ApplicationError(_("请上传 Excel（.xlsx）或 CSV 文件：%(f)s") % {"f": name}, field="file")
        try:
            next(iter(sheet_rows(path, file_name=name)), None)  # opens it: zip checks, encoding, header
        except OSError as exc:
            raise ApplicationError(_("无法读取文件 %(f)s") % {"f": name}, field="file") from exc
        return job_create(actor=actor, kind="demands.import", title=_("导入技术需求：%(f)s") % {"f": name},
                          params={"path": str(path), "file_name": name, "center_id": center.pk if center else None})


def demand_import_job(ctx) -> dict:
    """Job handler ``demands.import``: params {path, file_name, center_id}; the actor is who started it."""
    params = ctx.params
    center = Organization.objects.filter(pk=params.get("center_id")).first() if params.get("center_id") else None
    report = demand_import(actor=ctx.job.created_by, path=params["path"], center=center,
                           file_name=params.get("file_name"), progress=ctx)
    return {"report": report, "counts": report["counts"], "report_url": f"/demands/import/?job={ctx.job.pk}"}


def _reject(report: dict, entry: dict) -> None:
    report["counts"]["rejected"] += 1
    if len(report["rejected_rows"]) < REPORT_KEPT:
        report["rejected_rows"].append(entry)
    else:
        report["rejected_more"] += 1


def demand_import(*, actor: User | None, path, center: Organization | None = None, file_name: str | None = None,
                  progress=None) -> dict:
    """Import demands from a CSV/XLSX (the template or the ``demands.csv`` layout), streamed, in short
    transactions of :data:`IMPORT_CHUNK` rows (a concurrent edit never waits for the whole file).

    Idempotent: a row's key is the file name, its title, requester and date and who imports (the importing
    organisation); re-imports update or leave rows unchanged, so a run stopped halfway is completed by
    running it again. A row may only create or update what the actor may change: a demand the actor may
    not change, or a new one in the name of an organisation the actor may not file for (``may_file_for``),
    is rejected with the reason in the report. Near-duplicate titles (among the demands the actor may see
    and earlier rows) are flagged, not dropped — found through a :class:`TitleIndex`, and existing keys
    are read once, so the work grows with the rows, not with rows × demands.
    Imports by center staff or the system publish the demands they collect; enterprises and institutions
    import drafts for their own organisation. The report keeps the first :data:`REPORT_KEPT` rejected rows
    and counts the rest (``rejected_more``).
    """
    path = Path(path)
    name = file_name or path.name
    center, own_org = _import_scope(actor, center)
    publish = own_org is None
    source = f"import:{name}"
    scope = None if actor is None else (f"org:{actor.organization_id}" if actor.organization_id
                                        else f"user:{actor.pk}")
    report = {"file": name, "counts": {"rows": 0, "new": 0, "updated": 0, "unchanged": 0, "rejected": 0,
                                       "flagged_duplicates": 0},
              "rejected_rows": [], "rejected_more": 0, "duplicates": []}
    visible = Demand.objects.all() if actor is None else restrict(Demand.objects.all(), actor, VIEW)
    titles = TitleIndex(DUPLICATE_THRESHOLD, [(pk, title, _title_shingles(title))
                                              for pk, title in visible.order_by("pk").values_list("pk", "title")])
    keys = dict(Demand.objects.filter(source=source).values_list("source_key", "pk"))
    may_file: dict[int, bool] = {}
    seen: dict[str, int] = {}
    stream = read_rows(path, file_name=name)
    while True:
        chunk = list(islice(stream, IMPORT_CHUNK))
        if not chunk:
            break
        report["counts"]["rows"] += len(chunk)
        with transaction.atomic():
            _import_chunk(chunk, actor=actor, center=center, own_org=own_org, publish=publish, source=source,
                          scope=scope, name=name, report=report, titles=titles, keys=keys, seen=seen,
                          may_file=may_file)
        if progress is not None:  # a background job: let the requests waiting for the write lock in
            progress.advance(len(chunk))
            time.sleep(CHUNK_PAUSE)
    audit_record(actor=actor, action="import", message=f"导入技术需求 {name}",
                 changes={k: v for k, v in report["counts"].items()})
    return report


def _import_chunk(chunk: list, *, actor: User | None, center: Organization | None, own_org: Organization | None,
                  publish: bool, source: str, scope: str | None, name: str, report: dict, titles: TitleIndex,
                  keys: dict[str, int], seen: dict[str, int], may_file: dict[int, bool]) -> None:
    """One transaction's rows: org names ensured, existing demands fetched in one query, rows applied."""
    rows = [i for i in chunk if isinstance(i, DemandRow)]
    for error in (i for i in chunk if isinstance(i, RowError)):
        _reject(report, {**error.__dict__, "file": name})
    orgs = {}
    if own_org is None:
        named = {r.requester for r in rows if _is_named_organization(r.requester)}
        orgs = organizations_ensure(actor=actor, names=named | {UNNAMED_REQUESTER}, source=source)
    pending = []
    status_changes: list[DemandStatusChange] = []
    for r in rows:
        identity = f"{r.title}|{r.requester}|{r.created}"
        seen[identity] = seen.get(identity, 0) + 1  # the n-th identical row of the file is its own record
        # The key includes who imports (the system's keys stay as they were): another organisation's file of
        # the same name and rows is another set of records, never an update of these.
        legacy_key = hashlib.sha1(f"{identity}|{seen[identity]}".encode()).hexdigest()
        key = legacy_key if scope is None else hashlib.sha1(
            f"{scope}|{identity}|{seen[identity]}".encode()).hexdigest()
        pending.append((r, key, legacy_key))
    existing_by_pk = Demand.objects.in_bulk([keys[k] for _r, key, legacy in pending for k in (key, legacy)
                                             if k in keys])
    for r, key, legacy_key in pending:
        owner = own_org or orgs.get(r.requester) or orgs[UNNAMED_REQUESTER]
        fields = {"title": r.title, "description": r.description, "industry": r.industry,
                  "industry_code": r.industry_code, "keywords": r.keywords, "modes": r.modes,
                  "budget_text": r.budget_text, "budget_min": r.budget_min, "budget_max": r.budget_max,
                  "region_code": r.region_code, "deadline": r.deadline, "contact_name": r.contact_name,
                  "contact_phone": r.contact_phone, "contact_email": r.contact_email}
        try:
            _check_fields(fields)
        except ApplicationError as exc:
            _reject(report, {"file": name, "row": r.row, "field": exc.field, "reason": exc.message})
            continue
        existing = existing_by_pk.get(keys.get(key))
        if existing is None and scope is not None:  # imported before keys carried the importer
            legacy = existing_by_pk.get(keys.get(legacy_key))
            existing = legacy if legacy is not None and can(actor, CHANGE, legacy) else None
        if existing is None and actor is not None and owner.pk not in may_file:
            may_file[owner.pk] = may_file_for(actor, owner)
        refusal = ("" if existing is None and may_file.get(owner.pk, True)
                   else _import_refusal(actor, existing, owner))
        if refusal:
            _reject(report, {"file": name, "row": r.row, "field": "需求方", "reason": refusal})
            continue
        if existing is not None:
            changes = {k: [getattr(existing, k), v] for k, v in fields.items() if getattr(existing, k) != v}
            if changes:
                for k, (_old, new) in changes.items():
                    setattr(existing, k, new)
                existing.save()
                audit_record(actor=actor, action="update", obj=existing, changes=changes, message=source)
                report["counts"]["updated"] += 1
            else:
                report["counts"]["unchanged"] += 1
            continue
        shingles = _title_shingles(r.title)
        duplicate = titles.best(shingles)
        status = DemandStatus.PUBLISHED if publish else DemandStatus.DRAFT
        demand = Demand(organization=owner, center=center, requester_name=r.requester[:200], source=source,
                        source_key=key, status=status, created_by=actor if actor and actor.pk else None,
                        duplicate_of_id=duplicate[0] if duplicate else None,
                        duplicate_score=round(duplicate[2], 3) if duplicate else None, **fields)
        if publish:
            demand.published_at = (timezone.make_aware(dt.datetime.combine(r.created, dt.time(9)))
                                   if r.created else timezone.now())
        try:
            with transaction.atomic():
                # the related records are known and the key is new: no query per foreign key or constraint
                validated_save(demand, exclude=["organization", "center", "created_by", "duplicate_of"],
                               validate_constraints=False)
        except ApplicationError as exc:
            _reject(report, {"file": name, "row": r.row, "field": exc.field, "reason": exc.message})
            continue
        status_changes.append(DemandStatusChange(demand=demand, from_status="", to_status=status,
                                                 actor=demand.created_by, reason=_("批量导入")))
        report["counts"]["new"] += 1
        keys[key] = demand.pk
        titles.add(demand.pk, demand.title, shingles)
        if duplicate:
            report["counts"]["flagged_duplicates"] += 1
            if len(report["duplicates"]) < REPORT_KEPT:
                report["duplicates"].append({"row": r.row, "demand_id": demand.pk, "title": r.title,
                                             "duplicate_of_id": duplicate[0], "duplicate_of_title": duplicate[1],
                                             "similarity": round(duplicate[2], 3)})
    DemandStatusChange.objects.bulk_create(status_changes)
