"""``ipoc demo`` step ``valuation`` (order 80), through ``ipoc.valuation.services``: two valuation batches — the
national office scores the research institute's numbered patents for 质押融资, and the demo center scores the
patents listed for 许可转让 (records without patent type and filing date are counted but cannot be scored, and
the run says so). 存量盘活 grading adds the institute's own run. Idempotent: a batch is started only once (found
by its starter, scenario and patents)."""

from __future__ import annotations

from pathlib import Path

from ipoc.core.demo import register_demo_step

INSTITUTE = "中科大数据研究院"


def demo_valuation(data_dir: Path) -> dict:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.matching import selectors as matching_selectors
    from ipoc.patents import selectors as patent_selectors
    from ipoc.valuation import services
    from ipoc.valuation.models import ValuationRun

    out: dict = {}
    office, staff, institute = demo_user("office"), demo_user("center"), demo_organization(INSTITUTE)
    batches = []
    if office is not None and institute is not None:
        patents = list(patent_selectors.patents_held_by(user=None, organization=institute)
                       .exclude(publication_number="").values_list("pk", flat=True))
        batches.append((office, "finance", patents))
    if staff is not None:
        listed = sorted(set(matching_selectors.listing_list(user=staff).values_list("patent_id", flat=True)))
        batches.append((staff, "license_transfer", listed))
    for actor, scenario, patents in batches:
        if not patents or ValuationRun.objects.filter(created_by=actor, scenario=scenario,
                                                      patent_ids=sorted(patents)).exists():
            continue
        run = services.valuation_run(actor=actor, scenario=scenario, patents=patents)
        out[scenario] = {"patents": run.patent_count, "scored": run.scored_count}
    return out


register_demo_step("valuation", demo_valuation, order=80)
