"""Excel export of a batch run: one sheet per demand (top patents, explanation, holder contact)."""

from __future__ import annotations

import io
import re

from ipoc.core.tables import safe_row
from ipoc.matching.models import MatchRun
from ipoc.matching.selectors import run_matches

HEADERS = ["排名", "公开号", "专利名称", "匹配分", "命中词", "共同IPC", "产业链节点", "法律状态", "剩余保护期（年）",
           "是否挂牌", "权利人", "权利人类型", "权利人联系方式"]


def run_xlsx(run: MatchRun) -> bytes:
    from openpyxl import Workbook

    from ipoc.core.models import Organization

    wb = Workbook(write_only=True)
    current, ws = None, None
    contacts: dict[str, str] = {}
    for m in run_matches(run):
        if m.demand_id != current:
            current = m.demand_id
            title = re.sub(r"[\[\]:*?/\\]", "", f"{m.demand_id}-{m.demand.title}")[:31]
            ws = wb.create_sheet(title)
            ws.append(safe_row([f"需求 #{m.demand_id}", m.demand.title, m.demand.organization.name]))
            ws.append(HEADERS)
        e = m.explanation
        holders = e.get("holders", [])
        names = [h["name"] for h in holders]
        for name in names:
            if name not in contacts:
                org = Organization.objects.filter(name=name).only("contact_name", "contact_phone",
                                                                  "contact_email").first()
                contacts[name] = " ".join(x for x in (org.contact_name, org.contact_phone, org.contact_email)
                                          if x) if org else ""
        ws.append(safe_row([m.rank, m.patent.number, m.patent.title, round(m.score, 4),
                            "、".join(e.get("matched_terms", [])), "、".join(e.get("shared_ipc", [])),
                            "、".join(e.get("chain_nodes", [])), e.get("legal_status"), e.get("remaining_life_years"),
                            "是" if e.get("listed") else "否", "；".join(names),
                            "；".join(h["type"] or "" for h in holders),
                            "；".join(contacts[n] for n in names if contacts[n])]))
    if current is None:
        wb.create_sheet("无匹配")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
