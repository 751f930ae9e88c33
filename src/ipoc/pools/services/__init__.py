"""Writes for 重点领域专利池 — every one checks who may make it, validates, runs in a transaction and is audited.

Who does what:
- the administrator (管理人: staff of the administering center, or a platform administrator) sets up the pool,
  standards, licensors, programmes, rate cards and agreements, assigns evaluators, decides essentiality,
  issues statements, records payments and audits, runs the allocation and the conflict check;
- a licensor's users submit their own patents (the patent must be held by the licensor);
- an evaluator (a platform 评审专家 assigned to an evaluation) declares conflicts, fills the claim chart and
  gives an opinion;
- a licensee's users sign their agreement and submit reports.

One module per sub-domain (setup, patents and essentiality, licensees and allocation, the conflict check); this
package re-exports them, so callers keep ``from ipoc.pools import services``."""

from ipoc.pools.services.conflicts import (  # noqa: F401
    _optional,
    _selectors_of,
    conflict_resolve,
    conflict_sources,
    conflicts_refresh,
    patents_changed,
)
from ipoc.pools.services.licensees import (  # noqa: F401
    REPORT_COLUMN_LABELS,
    _clean_line,
    _may_report,
    agreement_create,
    agreement_sign,
    allocation_run,
    audit_create,
    clean_lines,
    report_flags,
    report_import,
    report_import_rows,
    report_submit,
    statement_issue,
    statement_mark_paid,
)
from ipoc.pools.services.patents import (  # noqa: F401
    _require_cleared,
    _require_evaluator,
    claim_chart_add,
    counted_opinions,
    decision_from,
    evaluation_decide,
    evaluator_assign,
    evaluator_declare,
    evaluator_opinion,
    pool_patent_submit,
)
from ipoc.pools.services.setup import (  # noqa: F401
    COUNTRY_RE,
    DROP_THRESHOLD,
    MAX_DECIMAL,
    MAX_REPORT_LINES,
    MAX_UNITS,
    PERIOD_RE,
    POOL_EDITABLE,
    _category,
    _date,
    _member_of,
    _sections,
    _uid,
    clean_countries,
    clean_country,
    clean_decimal,
    is_admin,
    licensor_add,
    parse_period,
    pool_create,
    pool_update,
    programme_create,
    rate_card_create,
    require_admin,
    standard_add,
    standard_version_add,
)
