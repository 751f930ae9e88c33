"""``ipoc demo`` step ``licensing`` (order 78), through ``ipoc.licensing.services``: 专利开放许可与专利开源.

The demo university (浙江大学) holds three granted patents (imported here through the patents app's importer):
two declared under open licence with the demo center's service — one a royalty (提成) licence that an SME
(无锡精工智能装备有限公司（演示）) took by notice and payment and reports royalties on, one a fixed fee taken by
华为技术有限公司, whose fee the university has confirmed receiving (the SME's royalty payment waits for the
university's 确认收款) — and a utility model in the university's 专利开源 pledge. 华为 pledges its 信道接入 patents by
definition. Idempotent: records are found by patent, licensee and title before anything is created.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
UNIVERSITY = "浙江大学"
SME = "无锡精工智能装备有限公司（演示）"
BIG = "华为技术有限公司"

PATENTS = [
    {"publication_number": "CN113705581B", "title": "一种基于深度学习的零件表面缺陷在线检测方法",
     "abstract": "本发明公开了一种基于机器视觉与深度学习的零件表面缺陷在线检测方法，采集产线图像，"
                 "以注意力网络识别划痕、凹坑等缺陷，实现缺陷检测的实时判定。",
     "patent_type": "发明", "legal_status": "有效", "application_date": "2021-07-12", "grant_date": "2023-05-16",
     "ipc_main": "G06T7/00", "ipc_all": ["G06T7/00", "G06N3/08"], "applicants": [UNIVERSITY],
     "inventors": ["陈明", "刘洋"]},
    {"publication_number": "CN114002144B", "title": "一种晶圆测试探针卡的自动校准方法",
     "abstract": "本发明涉及集成电路晶圆测试，提供一种探针卡针尖平面度的自动校准方法，提高晶圆测试良率。",
     "patent_type": "发明", "legal_status": "有效", "application_date": "2021-09-30", "grant_date": "2023-11-03",
     "ipc_main": "G01R31/28", "ipc_all": ["G01R31/28", "G01R1/073"], "applicants": [UNIVERSITY],
     "inventors": ["王强"]},
    {"publication_number": "CN218100441U", "title": "一种便携式锂电池健康状态检测装置",
     "abstract": "本实用新型公开了一种便携式锂电池健康状态检测装置，用于储能电池的现场快速检测。",
     "patent_type": "实用新型", "legal_status": "有效", "application_date": "2022-06-20",
     "grant_date": "2022-12-27", "ipc_main": "G01R31/385", "applicants": [UNIVERSITY], "inventors": ["赵磊"]},
]


def _ensure_patents() -> dict:
    from ipoc.patents import selectors as patent_selectors
    from ipoc.patents import services as patent_services

    found = {}
    missing = []
    for row in PATENTS:
        try:
            found[row["publication_number"]] = patent_selectors.patent_get(user=None,
                                                                           key_or_number=row["publication_number"])
        except Exception:  # NotFound
            missing.append(row)
    if missing:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "licensing-demo.jsonl"
            path.write_text("".join(json.dumps({**r, "source": "演示数据"}, ensure_ascii=False) + "\n"
                                    for r in missing), encoding="utf-8")
            patent_services.patent_import(actor=None, path=path, format="jsonl")
        for row in missing:
            found[row["publication_number"]] = patent_selectors.patent_get(user=None,
                                                                           key_or_number=row["publication_number"])
    return found


def demo_licensing(data_dir: Path) -> dict:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.licensing import services
    from ipoc.licensing.models import OpenLicence, OpenLicenceDeclaration, PatentPledge

    university, center, sme, big = (demo_organization(UNIVERSITY), demo_organization(DEMO_CENTER),
                                    demo_organization(SME), demo_organization(BIG))
    member = demo_user("university")
    if university is None or center is None or member is None:
        return {"licensing": "demo university, center or user missing"}
    patents = _ensure_patents()
    today = dt.date.today()
    made = {"declarations": 0, "licences": 0, "pledges": 0}

    declarations = {}
    for number, terms in (
            ("CN113705581B", {"fee_method": "royalty", "royalty_rate": "3", "term_years": 5,
                              "field": "机器视觉与工业检测", "payment_terms": "提成按季度报告，报告期结束后 30 日内支付"}),
            ("CN114002144B", {"fee_method": "fixed", "fixed_fee": "200000", "term_years": 3,
                              "field": "集成电路测试", "payment_terms": "通知后一次付清"})):
        decl = OpenLicenceDeclaration.objects.filter(patent=patents[number], patentee=university).first()
        if decl is None:
            decl = services.declaration_create(actor=member, patent=patents[number], center=center,
                                               contact_name="浙江大学技术转移中心 王老师", contact_phone="0571-87950000",
                                               **terms)
            made["declarations"] += 1
        if decl.status == "draft":
            decl = services.declaration_file(actor=member, declaration=decl, on=today - dt.timedelta(days=60))
        if decl.status == "filed":
            decl = services.declaration_publish(actor=member, declaration=decl, on=today - dt.timedelta(days=45),
                                                announcement_number=f"开放许可公告 {today.year}-{decl.pk:04d}")
        declarations[number] = decl

    royalty_decl = declarations["CN113705581B"]
    if sme is not None and not OpenLicence.objects.filter(declaration=royalty_decl, licensee=sme).exists():
        lic = services.licence_form(actor=None, declaration=royalty_decl, licensee=sme,
                                    notice_text="我公司愿按贵校公告的开放许可条件（按净销售额提成 3%）实施该专利，"
                                                "用于零件缺陷在线检测设备，特此书面通知。",
                                    notice_date=today - dt.timedelta(days=40))
        services.licence_file(actor=None, licence=lic, filed_on=today - dt.timedelta(days=25),
                              filing_number=f"{today.year}330000000123")
        start = lic.formed_on
        report = services.royalty_report_create(actor=None, licence=lic, period_start=start,
                                                period_end=start + dt.timedelta(days=9), base_amount="860000",
                                                reported_on=start + dt.timedelta(days=10))
        services.royalty_payment_record(actor=None, licence=lic, report=report, amount="20000",
                                        paid_on=start + dt.timedelta(days=12), reference="YH-2026-0412")
        made["licences"] += 1
    fixed_decl = declarations["CN114002144B"]
    if big is not None and not OpenLicence.objects.filter(declaration=fixed_decl, licensee=big).exists():
        lic = services.licence_form(actor=None, declaration=fixed_decl, licensee=big,
                                    notice_text="我公司愿按公告条件实施该专利，许可使用费 200,000 元已一次付清。",
                                    notice_date=today - dt.timedelta(days=20), payment_amount="200000",
                                    payment_date=today - dt.timedelta(days=19), payment_reference="HW-OL-0001")
        # The university confirms it received the fee (确认收款); the SME's royalty payment above is left
        # 待许可人确认, for the demo to show the step.
        services.payment_confirm(actor=member, payment=lic.payments.get())
        made["licences"] += 1

    if not PatentPledge.objects.filter(pledgor=university, title="浙江大学储能检测技术专利开源承诺").exists():
        services.pledge_create(actor=member, center=None, title="浙江大学储能检测技术专利开源承诺",
                               pledged_on=today - dt.timedelta(days=30),
                               summary="浙江大学承诺：对善意实施清单所列专利用于储能电池检测的单位，不主张专利权；"
                                       "对方对我校提起专利诉讼的，本承诺对其中止。",
                               mechanism="covenant", conditions=["good_faith", "defensive"],
                               field_of_use="储能电池检测", signatories="浙江大学技术转移中心",
                               scope_kind="list", scope_numbers=["CN218100441U"])
        made["pledges"] += 1
    if big is not None and not PatentPledge.objects.filter(pledgor=big, title="信道接入技术专利开源承诺").exists():
        staff = demo_user("center")  # the pledge is Huawei's own act; the center serves it
        services.pledge_create(actor=None, pledgor=big, center=staff.organization if staff else None, title="信道接入技术专利开源承诺",
                               pledged_on=today - dt.timedelta(days=15),
                               summary="对中小企业依申请免费许可范围内的信道接入相关专利，互惠条件下有效。",
                               mechanism="royalty_free", conditions=["reciprocity"], field_of_use="无线通信",
                               signatories="知识产权部", scope_kind="definition", scope_keywords="信道",
                               scope_applicant=BIG)
        made["pledges"] += 1
    return made


register_demo_step("licensing", demo_licensing, order=78)
