"""Writes for 专利产业化, one module per sub-domain — projects (立项 → 中试 → 量产 → 达产), 专利密集型产品 with their
yearly data and 备案认定 filings (checked before the pack is exported), brands and trademarks. Every write is
checked, validated, atomic and audited. This package re-exports them, so callers keep
``from ipoc.industrialization import services``."""

from ipoc.industrialization.services.brands import (  # noqa: F401
    brand_award_add,
    brand_create,
    trademark_add,
)
from ipoc.industrialization.services.common import (  # noqa: F401
    ATTACHMENT_SUFFIXES,
    FILING_REASON_MAX,
    FILING_RESULTS,
    MAX_ATTACHMENT_BYTES,
    MAX_IMPORT_ROWS,
    SIGNED_DEAL_STAGES,
    _center_for,
    _center_serves,
    _check_open_licence,
    _deal_for_link,
    _enterprise,
    _has_number,
    _is_admin,
    _licence_covers,
    _link_checks,
    _real,
    _require,
    check_upload,
    clean_count,
    clean_money,
    clean_share,
    clean_year,
    may_manage_brand,
    may_manage_product,
    may_manage_project,
    may_move_filing,
    may_record_filing_result,
    may_report_project,
    open_licences_of,
    patent_text,
)
from ipoc.industrialization.services.filing import (  # noqa: F401
    _line,
    _reference,
    _refuse_problems,
    _wan,
    filing_for_export,
    filing_prepare,
    filing_problems,
    filing_transition,
    pack_data,
    pack_pdf,
    pack_xlsx,
)
from ipoc.industrialization.services.products import (  # noqa: F401
    IMPORT_COLUMNS,
    PRODUCT_FIELDS,
    _cell,
    _check_product_refs,
    _require_served,
    product_create,
    product_patent_add,
    product_patent_remove,
    product_update,
    product_year_add,
    product_years_import,
)
from ipoc.industrialization.services.projects import (  # noqa: F401
    DEAL_SOURCES,
    PROJECT_FIELDS,
    _check_chain_node,
    project_create,
    project_investment_add,
    project_milestone_add,
    project_milestone_done,
    project_outcome_add,
    project_partner_add,
    project_patent_add,
    project_patent_remove,
    project_transition,
    project_update,
)
from ipoc.industrialization.services.reminders import (  # noqa: F401
    filing_reminders,
)
