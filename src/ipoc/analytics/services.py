"""Writes for 专利导航与分析: patent sets (create, evaluate, re-evaluate after an import), the 技术功效矩阵 terms,
and the record of each landscape report produced."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.analytics import engine, selectors, terms
from ipoc.analytics.models import (
    LandscapeReport,
    MatrixTerm,
    PatentSet,
    PatentSetMember,
    ReportFormat,
    SetKind,
    TermAxis,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Role, User
from ipoc.core.permissions import CHANGE, require, require_role
from ipoc.core.services import audit_record, validated_save

logger = logging.getLogger(__name__)

STAFF_ROLES = (Role.CENTER_STAFF, Role.OFFICE_STAFF)
MAX_MANUAL = 5000  # patents of a hand-picked list
MAX_TERMS = 15  # rows or columns of a matrix
MAX_WORDS = 10  # words of one matrix term
SEARCH_CAP = 10_000  # patents a saved search with a query can hold (the search engine's deepest page)
INLINE_MAX = 100_000  # patents in the store (or members of the sets) up to which sets are evaluated at once
EVALUATE_KIND = "analytics.evaluate"


def may_create(user: User | None) -> bool:
    return bool(user and user.is_authenticated and (user.is_platform_admin or user.role in STAFF_ROLES))


def _clean_definition(*, actor: User | None, kind: str, definition: dict) -> dict:
    """Check what a set of ``kind`` needs, and that the actor may see what it names."""
    d = dict(definition or {})
    if kind == SetKind.SEARCH:
        q = str(d.get("q") or "").strip()[:200]
        filters = {k: v for k, v in (d.get("filters") or {}).items() if v not in (None, "")}
        unknown = set(filters) - set(selectors.SEARCH_FILTER_KEYS)
        if unknown:
            raise ApplicationError(_("不支持的筛选条件：%(k)s") % {"k": "、".join(sorted(unknown))}, field="filters")
        if not q and not filters:
            raise ApplicationError(_("请填写检索式或至少一个筛选条件"), field="q")
        selectors.patent_filters(filters)  # refuses out-of-range values, naming the filter
        return {"q": q, "filters": filters}
    if kind == SetKind.CHAIN_NODE:
        node = selectors.chain_node_get(user=actor, pk=_int(d.get("node_id"), "node_id"))
        return {"node_id": node["id"], "center_id": node["center_id"]}
    if kind == SetKind.IMPORT_BATCH:
        batch = selectors.import_batch_get(user=actor, pk=_int(d.get("batch_id"), "batch_id"))
        return {"batch_id": batch.pk}
    if kind == SetKind.STOCK:
        inst = d.get("institution_id")
        return {"institution_id": _int(inst, "institution_id") if inst not in (None, "") else None}
    if kind == SetKind.POOL:
        return {}
    if kind == SetKind.MANUAL:
        ids = sorted({_int(i, "patent_ids") for i in d.get("patent_ids") or []})
        if not ids:
            raise ApplicationError(_("请至少选择一件专利"), field="patent_ids")
        if len(ids) > MAX_MANUAL:
            raise ApplicationError(_("自选清单最多 %(n)d 件专利") % {"n": MAX_MANUAL}, field="patent_ids")
        found = selectors.existing_patent_ids(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise ApplicationError(_("专利不存在：%(ids)s") % {"ids": ", ".join(map(str, missing[:10]))},
                                   field="patent_ids")
        return {"patent_ids": ids}
    raise ApplicationError(_("未知的集合类型"), field="kind")


def _int(value, field: str) -> int:
    from ipoc.core.bounds import check_id

    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApplicationError(_("请选择有效的记录"), field=field) from None
    return check_id(number, field)


@transaction.atomic
def patent_set_create(*, actor: User | None, name: str, kind: str, definition: dict | None = None,
                      description: str = "") -> PatentSet:
    """新建专利集合 and evaluate it at once (its size and date are those of this evaluation)."""
    if actor is not None:
        require_role(actor, *STAFF_ROLES)
    if kind not in SetKind.values:
        raise ApplicationError(_("未知的集合类型"), field="kind")
    if not (name or "").strip():
        raise ApplicationError(_("请填写集合名称"), field="name")
    clean = _clean_definition(actor=actor, kind=kind, definition=definition or {})
    org = actor.organization if actor is not None and actor.organization_id else None
    if kind == SetKind.CHAIN_NODE and org is None:
        org = selectors.organization_of(clean["center_id"])
    inline = evaluates_inline()
    if not inline:
        # Refuse (429) before the set exists: refused only once the creation had committed, the set was saved
        # and never evaluated (probe).
        from ipoc.core.jobs import job_admit

        job_admit(actor=actor, kind=EVALUATE_KIND)
    patent_set = PatentSet(name=name.strip(), kind=kind, definition=clean, description=description or "",
                           organization=org, created_by=actor if actor is not None and actor.pk else None)
    validated_save(patent_set)
    audit_record(actor=actor, action="create", obj=patent_set, changes={"name": [None, patent_set.name],
                                                                         "kind": [None, kind]})
    if inline:
        _evaluate(patent_set)
    else:  # a large store: the set is evaluated by a worker (its page shows the job's progress meanwhile)
        transaction.on_commit(lambda: _start_after_create(actor, patent_set))
    return patent_set


def _start_after_create(actor: User | None, patent_set: PatentSet) -> None:
    """Queue a new set's evaluation once its creation committed. Should the queue fill up in between (checked
    before the set was saved), the set stays 尚未评估 — its page says so and offers 重新评估 — rather than the
    request failing after the set was saved."""
    try:
        patent_sets_evaluate_start(actor=actor, sets=[patent_set])
    except ApplicationError:
        logger.warning("patent set %s created but its evaluation could not be queued", patent_set.pk)


def evaluates_inline(patent_set: PatentSet | None = None) -> bool:
    """Whether a set is evaluated in the request: yes while the store (and the set) holds at most
    :data:`INLINE_MAX` patents — a few seconds — and on the task queue above that (38 s at 1M patents)."""
    if patent_set is not None and (patent_set.size or 0) > INLINE_MAX:
        return False
    return selectors.store_size() <= INLINE_MAX


def patent_sets_evaluate_start(*, actor: User | None, sets: list[PatentSet] | None = None):
    """Evaluate sets (all when ``sets`` is None) as a job ``analytics.evaluate`` on the task queue."""
    from ipoc.core.jobs import job_create, job_start_background

    ids = [s.pk for s in sets] if sets is not None else list(PatentSet.objects.order_by("pk").values_list("pk", flat=True))
    title = (_("评估专利集合：%(n)s") % {"n": sets[0].name} if sets is not None and len(sets) == 1
             else _("导入后重新评估专利集合（%(n)d 个）") % {"n": len(ids)})
    job = job_create(actor=actor, kind=EVALUATE_KIND, title=str(title)[:200], params={"set_ids": ids},
                     total=len(ids))
    job_start_background(job)
    return job


def patent_sets_evaluate_job(ctx) -> dict:
    """Job ``analytics.evaluate``: params {set_ids}. Each set is evaluated in its own transaction, then
    checkpointed, so a killed job resumes after the last set done; a set deleted meanwhile is skipped."""
    ids = [int(i) for i in ctx.params.get("set_ids") or []]
    done = [int(i) for i in ctx.checkpoint_data.get("done", [])]
    ctx.set_total(len(ids))
    ctx.set_done(len(done))
    sizes = dict(ctx.checkpoint_data.get("sizes", {}))
    for pk in ids:
        if pk in done:
            continue
        patent_set = PatentSet.objects.filter(pk=pk).first()
        if patent_set is not None:
            with transaction.atomic():
                _evaluate(patent_set)
            sizes[str(pk)] = patent_set.size
            ctx.log(_("%(name)s：%(n)d 件专利") % {"name": patent_set.name, "n": patent_set.size})
        done.append(pk)
        ctx.checkpoint({"done": done, "sizes": sizes})
        ctx.set_done(len(done))
    return {"evaluated": len(sizes), "sizes": sizes}


@transaction.atomic
def patent_set_update(*, actor: User | None, patent_set: PatentSet, name: str, description: str = "") -> PatentSet:
    if actor is not None:
        require(actor, CHANGE, patent_set)
    if not (name or "").strip():
        raise ApplicationError(_("请填写集合名称"), field="name")
    old = patent_set.name
    patent_set.name, patent_set.description = name.strip(), description or ""
    validated_save(patent_set)
    audit_record(actor=actor, action="update", obj=patent_set, changes={"name": [old, patent_set.name]})
    return patent_set


@transaction.atomic
def patent_set_delete(*, actor: User | None, patent_set: PatentSet) -> None:
    if actor is not None:
        require(actor, CHANGE, patent_set)
    audit_record(actor=actor, action="delete", obj=patent_set)
    patent_set.delete()


@transaction.atomic
def patent_set_evaluate(*, actor: User | None, patent_set: PatentSet) -> PatentSet:
    """Re-evaluate a set now (what the page's 重新评估 button does)."""
    if actor is not None:
        require(actor, CHANGE, patent_set)
    before = patent_set.size
    _evaluate(patent_set)
    audit_record(actor=actor, action="evaluate", obj=patent_set, changes={"size": [before, patent_set.size]})
    return patent_set


def patent_set_evaluate_request(*, actor: User | None, patent_set: PatentSet):
    """The page's and the API's 重新评估: at once for a small store (returns None), else a queued job."""
    if actor is not None:
        require(actor, CHANGE, patent_set)
    if evaluates_inline(patent_set):
        patent_set_evaluate(actor=actor, patent_set=patent_set)
        return None
    queued = queued_evaluation(actor, patent_set)
    if queued is not None:  # one queued evaluation per set: asking again does not queue another (probe)
        return queued
    audit_record(actor=actor, action="evaluate", obj=patent_set, changes={"size": [patent_set.size, None]},
                 message="queued")
    return patent_sets_evaluate_start(actor=actor, sets=[patent_set])


def queued_evaluation(actor: User | None, patent_set: PatentSet):
    """A job still waiting in the queue (not yet started, so it will read the set's definition as it is now) that
    evaluates ``patent_set`` and that ``actor`` may follow; None when there is none. A running job may have passed
    the set already, and a job the actor may not open (another organisation's) is no answer to give it."""
    return selectors.evaluation_job(patent_set, user=actor, pending_only=True)


def _evaluate(patent_set: PatentSet) -> None:
    """Replace the members with what the definition selects today (one INSERT … SELECT in the database,
    copying each patent's facts the analyses count)."""
    sql, params, note = selectors.member_source(patent_set)
    src = selectors.source()
    with connection.cursor() as cur:
        for name in (*engine.FACT_TABLES, "member"):  # plain deletes: these rows have no dependants
            cur.execute(f"DELETE FROM {src.tables[name]} WHERE patent_set_id = %s", [patent_set.pk])
        if sql is not None:
            cur.execute(engine.fill_sql(src, sql), [patent_set.pk, *params])
        else:
            ids = sorted({int(i) for i in params})
            for a in range(0, len(ids), 500):
                chunk = ids[a:a + 500]
                cur.execute(engine.fill_sql(src, ", ".join(["%s"] * len(chunk))), [patent_set.pk, *chunk])
        for sql in engine.fill_facts_sql(src):
            cur.execute(sql, [patent_set.pk])
    patent_set.size = PatentSetMember.objects.filter(patent_set=patent_set).count()
    patent_set.evaluated_at = timezone.now()
    patent_set.evaluation_note = note[:300]
    patent_set.save(update_fields=["size", "evaluated_at", "evaluation_note"])


def patent_sets_reevaluate(changed_ids: Iterable[int] | None = None) -> int:
    """Listener of ``patents.services.on_patents_changed``: every set is evaluated again after an import —
    at once while the sets are small (≤ :data:`INLINE_MAX` members in all and as many patents in the store),
    otherwise as one job on the task queue, so a large import is not held up by 专利导航.
    Never fails the import that called it; returns how many sets were evaluated here."""
    done = 0
    members = PatentSetMember.objects.count()
    if members > INLINE_MAX or selectors.store_size() > INLINE_MAX:
        if PatentSet.objects.exists():
            try:
                patent_sets_evaluate_start(actor=None)
            except Exception:  # e.g. another evaluation already queued at the cap: that one will do it
                logger.exception("could not queue the re-evaluation of patent sets")
        return 0
    for patent_set in PatentSet.objects.all().order_by("pk"):
        try:
            with transaction.atomic():
                _evaluate(patent_set)
            done += 1
        except Exception:  # a set whose source went away (a deleted node) keeps its last members
            logger.exception("re-evaluating patent set %s failed", patent_set.pk)
    return done


# ---------------------------------------------------------------- 技术功效矩阵


def _require_edit(actor: User | None, patent_set: PatentSet) -> None:
    if actor is not None:
        require(actor, CHANGE, patent_set)


@transaction.atomic
def matrix_terms_propose(*, actor: User | None, patent_set: PatentSet, top: int = 8) -> dict[str, int]:
    """Propose technology and effect terms from the set's texts; replaces unreviewed proposals, keeps every
    term staff have confirmed."""
    _require_edit(actor, patent_set)
    top = max(1, min(int(top), MAX_TERMS))
    titles, abstracts = selectors.set_texts(patent_set)
    found = {TermAxis.TECHNOLOGY: terms.technology_terms(titles, top=top),
             TermAxis.EFFECT: terms.effect_terms(abstracts, top=top)}
    MatrixTerm.objects.filter(patent_set=patent_set, reviewed=False).delete()
    added = {}
    for axis, words in found.items():
        kept = set(MatrixTerm.objects.filter(patent_set=patent_set, axis=axis).values_list("label", flat=True))
        start = len(kept)
        new = [w for w, _n in words if w not in kept][:max(0, MAX_TERMS - start)]
        MatrixTerm.objects.bulk_create([MatrixTerm(patent_set=patent_set, axis=axis, label=w, words=[w],
                                                   order=start + i) for i, w in enumerate(new)])
        added[axis] = len(new)
    audit_record(actor=actor, action="propose_terms", obj=patent_set, changes={"terms": [None, added]})
    return added


def _words(words) -> list[str]:
    if isinstance(words, str):
        words = words.replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",").split(",")
    out = [str(w).strip()[:30] for w in words or [] if str(w).strip()]
    if len(out) > MAX_WORDS:
        raise ApplicationError(_("每个词条最多 %(n)d 个检索词") % {"n": MAX_WORDS}, field="words")
    return list(dict.fromkeys(out))


@transaction.atomic
def matrix_term_save(*, actor: User | None, patent_set: PatentSet, axis: str, label: str, words=None,
                     reviewed: bool = True, term: MatrixTerm | None = None) -> MatrixTerm:
    """Add or edit a matrix term; saving it as reviewed confirms it (审核), with who confirmed it."""
    _require_edit(actor, patent_set)
    if axis not in TermAxis.values:
        raise ApplicationError(_("请选择技术分支或技术功效"), field="axis")
    label = (label or "").strip()[:60]
    if not label:
        raise ApplicationError(_("请填写词条名称"), field="label")
    if term is not None and term.patent_set_id != patent_set.pk:
        raise PermissionDenied(_("该词条不属于此专利集合"), field="term")
    clash = MatrixTerm.objects.filter(patent_set=patent_set, axis=axis, label=label)
    if term is not None:
        clash = clash.exclude(pk=term.pk)
    if clash.exists():
        raise ApplicationError(_("已有同名词条：%(l)s") % {"l": label}, field="label")
    if term is None:
        if MatrixTerm.objects.filter(patent_set=patent_set, axis=axis).count() >= MAX_TERMS:
            raise ApplicationError(_("每个维度最多 %(n)d 个词条") % {"n": MAX_TERMS}, field="label")
        order = MatrixTerm.objects.filter(patent_set=patent_set, axis=axis).count()
        term = MatrixTerm(patent_set=patent_set, axis=axis, order=order)
    old = {"label": term.label, "words": list(term.words or []), "reviewed": term.reviewed}
    term.axis, term.label, term.words = axis, label, _words(words if words is not None else [label])
    term.reviewed = bool(reviewed)
    term.reviewed_by = actor if reviewed and actor is not None and actor.pk else None
    validated_save(term)
    audit_record(actor=actor, action="term_save", obj=patent_set, changes={
        "term": [old, {"label": term.label, "words": term.words, "reviewed": term.reviewed}]})
    return term


@transaction.atomic
def matrix_terms_review(*, actor: User | None, patent_set: PatentSet) -> int:
    """Confirm every term of the matrix as it stands (审核全部)."""
    _require_edit(actor, patent_set)
    n = MatrixTerm.objects.filter(patent_set=patent_set, reviewed=False).update(
        reviewed=True, reviewed_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, action="terms_review", obj=patent_set, changes={"reviewed": [None, n]})
    return n


@transaction.atomic
def matrix_term_delete(*, actor: User | None, patent_set: PatentSet, term: MatrixTerm) -> None:
    _require_edit(actor, patent_set)
    if term.patent_set_id != patent_set.pk:
        raise PermissionDenied(_("该词条不属于此专利集合"), field="term")
    audit_record(actor=actor, action="term_delete", obj=patent_set, changes={"term": [term.label, None]})
    term.delete()


# ---------------------------------------------------------------- reports


@transaction.atomic
def landscape_report_record(*, actor: User | None, patent_set: PatentSet, format: str) -> LandscapeReport:
    """Record that a landscape report was produced (the 年度专利导航与分析报告数 counts these)."""
    if format not in ReportFormat.values:
        raise ApplicationError(_("报告格式应为 PDF、Excel 或 JSON"), field="format")
    org = patent_set.organization
    if actor is not None and actor.organization_id:
        org = actor.organization
    report = LandscapeReport.objects.create(patent_set=patent_set, organization=org, format=format,
                                            set_size=patent_set.size,
                                            created_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, action="report", obj=patent_set, changes={"format": [None, format]})
    return report

