"""The watch (监控): a finished check re-opens when an import adds or changes a relevant patent; a large change
set is a ``risk.watch`` job of its own."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ipoc.core.models import Role
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.risk import engine, rules, selectors
from ipoc.risk.models import (
    AlertKind,
    Candidate,
    CandidateOrigin,
    CheckStatus,
    RiskAlert,
    RiskCheck,
)
from ipoc.risk.services.checks import _apply_markets, _grade_check, chart_propose

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- the watch


def _reopen(check: RiskCheck, kind: str, message: str, patent_id: int | None = None) -> RiskAlert:
    alert = RiskAlert.objects.create(check_obj=check, center=check.center, kind=kind, patent_id=patent_id,
                                     message=message[:2000])
    if check.status == CheckStatus.FINISHED:
        check.status = CheckStatus.REOPENED
    check.reopen_reason = message[:2000]
    validated_save(check)
    audit_record(actor=None, action="transition", obj=check, changes={"status": [CheckStatus.FINISHED, check.status]},
                 message=message)
    users = list(check.requester.users.all())
    if check.center_id:
        users += list(check.center.users.filter(role=Role.CENTER_STAFF))
    notify(users=users, title=_("风险预警重新打开：%(t)s") % {"t": check.title}, body=message,
           url=reverse("risk_check_detail", args=[check.pk]), kind="risk")
    return alert


WATCH_KIND = "risk.watch"
WATCH_INLINE_MAX = 2000  # a change set this small (a record edited, a small import) is watched at once
WATCH_CHUNK = 2000


def watch_patents_changed(ids: list[int]) -> int:
    """Listener of ``patents.services.on_patents_changed``: a new relevant patent in a chosen market, a pending
    application granted or a lapsed patent restored re-opens a finished check. Never fails the import.

    A large change set (an import of millions) is not read inside the import's finish: it becomes a
    ``risk.watch`` job (风险预警监测) of its own, chunked, with progress and a resume point."""
    try:
        if not ids or not RiskCheck.objects.filter(status=CheckStatus.FINISHED).exists():
            return 0
        if len(ids) <= WATCH_INLINE_MAX:
            return _watch(list(ids))
        from ipoc.core.jobs import job_create, job_start_background

        job = job_create(actor=None, kind=WATCH_KIND, params={"runs": id_runs(ids), "count": len(ids)},
                         title=f"风险预警监测：{len(ids)} 件新入库或变更的专利 / risk watch", total=len(ids))
        job_start_background(job)
        return 0
    except Exception:
        log.exception("risk watch failed")
        return 0


def id_runs(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as runs ``[first, last]``: an import's ids are mostly consecutive, so millions fit a job's
    parameters in a few runs."""
    runs: list[list[int]] = []
    for i in sorted(set(int(x) for x in ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def ids_of_runs(runs: list[list[int]]) -> list[int]:
    return [i for first, last in runs for i in range(int(first), int(last) + 1)]


def watch_job(ctx) -> dict:
    """Job ``risk.watch``: the watch over a large change set, 2,000 patents per transaction; the checkpoint is
    saved in the same transaction, so a resumed or redone job neither skips nor repeats a part."""
    ids = ids_of_runs(ctx.params["runs"])
    point = ctx.checkpoint_data or {}
    done, reopened = int(point.get("done", 0)), int(point.get("reopened", 0))
    ctx.set_total(len(ids))
    ctx.set_done(done)
    for a in range(done, len(ids), WATCH_CHUNK):
        part = ids[a:a + WATCH_CHUNK]
        with transaction.atomic():
            reopened += _watch(part)
            ctx.job.progress_done = a + len(part)
            ctx.checkpoint({"done": a + len(part), "reopened": reopened})
    return {"patents": len(ids), "reopened": reopened}


def _watch(ids: list[int]) -> int:
    """The watch over one part (at most WATCH_CHUNK ids: the inline call or one part of ``risk.watch``)."""
    checks = list(RiskCheck.objects.filter(status=CheckStatus.FINISHED).select_related("requester", "center"))
    if not checks or not ids:
        return 0
    reopened = 0
    threshold = rules.value("watch_relevance")
    from ipoc.patents import selectors as patent_selectors

    wanted = {check.pk: engine.words(" ".join([check.product_name, *check.features])) for check in checks}
    known = {(c.check_obj_id, c.patent_id): c
             for c in Candidate.objects.filter(check_obj__in=checks, patent_id__in=ids)}
    texts = patent_selectors.index_texts(ids)
    rows = selectors.patent_rows(ids)
    words: dict[int, Any] = {}  # each patent's words once, whatever the number of checks
    for check in checks:
        if check.status != CheckStatus.FINISHED:
            continue
        for pid in ids:
            row = rows.get(pid)
            if row is None:
                continue
            cand = known.get((check.pk, pid))
            if cand is not None:
                before = {m: v.get("state") for m, v in cand.markets.items()}
                was_in = cand.in_scope
                _apply_markets(check, cand, row)
                cand.save(update_fields=["markets", "in_scope", "family_key"])
                now = {m: v.get("state") for m, v in cand.markets.items()}
                if cand.removed:
                    continue
                if not was_in and cand.in_scope:
                    _reopen(check, AlertKind.RESTORED, _("专利 %(n)s 在目标市场恢复有效，需重新评估") % {
                        "n": row["number"]}, pid)
                    reopened += 1
                    break
                if any(before.get(m) == "pending" and now.get(m) == "in_force" for m in now):
                    _reopen(check, AlertKind.GRANTED, _("审中申请 %(n)s 已获授权，需重新评估") % {"n": row["number"]}, pid)
                    reopened += 1
                    break
                continue
            if pid not in words:
                t = texts.get(pid) or {}
                words[pid] = engine.words(" ".join([t.get("title", ""), t.get("abstract", ""),
                                                    t.get("claims", "")]))
            if engine.coverage(wanted[check.pk], words[pid]) < threshold:
                continue
            cand = Candidate(check_obj=check, patent_id=pid, origin=CandidateOrigin.WATCH,
                             rank=check.candidates.count() + 1)
            _apply_markets(check, cand, row)
            if not cand.in_scope:
                continue
            cand.save()
            chart_propose(candidate=cand, rows=rows)
            _grade_check(check)
            _reopen(check, AlertKind.NEW_PATENT, _("新入库的相关专利 %(n)s 在目标市场有效或审中，风险预警已重新打开") % {
                "n": row["number"]}, pid)
            reopened += 1
            break
    return reopened
