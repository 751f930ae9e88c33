"""Writes for 存量专利盘活: 建档 (upload or selection from the store), the review chain, the two
libraries, grading and screening, pushes, responses and deals — each checked, transactional
and audited.

Who may do what (``actor=None`` is the system / CLI and may do everything; platform
administrators too):

* 建档, edit, submit (发明人/院系建档): institution users (``institution_user``) of the institution.
* 院系审核: an institution user appointed ``StockReviewer`` level 院系审核人 for the patent's 院系
  (an appointment with a blank 院系 covers every 院系).
* 学校审核: an institution user appointed 学校审核人. The 学校审核人 acts as the institution's
  administrator for this process and appoints reviewers; the first one is appointed by a
  platform administrator or from the CLI.
* A center serves an institution through a ``ServiceLink``, which needs the institution's consent: the
  center's staff ask (``ServiceRequest``), one of the institution's users accepts or declines; an institution's
  user or an administrator may set it up directly. Only then do the center's staff see the institution's list.
* 建档 only for patents the institution holds (applicant or current holder in the store); platform
  administrators may 建档 others' patents (with a warning in the report).
* Grading: the institution's users, serving center staff. Screening into the 专利转化资源库:
  serving center staff or the 学校审核人. Pushes, responses and deals: serving center staff;
  the pushed enterprise's users may record their own response.

One module per sub-domain (access: who may and service links; records: 建档; review: the review chain (院系审核 → 学校审核), grading
and screening; pushes: pushes, responses, deals); this package re-exports them, so callers keep
``from ipoc.revitalization import services``."""

from ipoc.revitalization.services.access import (  # noqa: F401
    EDITABLE_FIELDS,
    INSTITUTION_KINDS,
    SOURCE_LABELS,
    _accept_request,
    _check_fields,
    _check_institution,
    _deny,
    _is_center_staff_of,
    _move,
    _require_member,
    _system_or_admin,
    is_member,
    is_reviewer,
    patent_name,
    reviewer_appoint,
    serves,
    service_link_create,
    service_request_decide,
)
from ipoc.revitalization.services.pushes import (  # noqa: F401
    _require_push_party,
    _require_pusher,
    _respond,
    deal_record,
    push_create,
    push_respond,
)
from ipoc.revitalization.services.records import (  # noqa: F401
    CHUNK_PAUSE,
    IMPORT_CHUNK,
    REPORT_KEPT,
    _apply_rows,
    _create,
    _enrich,
    _find_patent,
    _holder_warning,
    _import_checks,
    _not_held,
    _report,
    _save_import,
    import_report,
    stock_create,
    stock_import,
    stock_import_job,
    stock_import_start,
    stock_select,
    stock_update,
)
from ipoc.revitalization.services.review import (  # noqa: F401
    _locked,
    _set_library,
    _set_stage,
    stock_grade,
    stock_review,
    stock_screen,
    stock_screen_institution,
    stock_submit,
)
