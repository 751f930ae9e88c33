"""``ipoc demo`` step: the demo center entered in the registry (managed by 江苏省知识产权局), its 认定 application
submitted (so the office has a 形式审查 to do) and its annual report for last year generated from the records."""

from pathlib import Path

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
DEMO_HOST = "新一代信息技术产业园（演示）"


def demo_centers(data_dir: Path) -> dict:
    from ipoc.centers import selectors, services
    from ipoc.core import services as core_services
    from ipoc.core.models import Organization, OrganizationKind

    org = Organization.objects.filter(name=DEMO_CENTER).first()
    office = Organization.objects.filter(name="江苏省知识产权局").first()
    if org is None or office is None:
        return {"centers": "demo organisations missing (run the organizations step)"}
    if selectors.center_list_system().filter(organization=org).exists():
        return {"centers_created": 0}
    host = Organization.objects.filter(name=DEMO_HOST).first() or core_services.organization_create(
        actor=None, name=DEMO_HOST, kind=OrganizationKind.INDUSTRIAL_PARK, region_code="320500", source="demo")
    center = services.center_create(actor=None, organization=org, name=DEMO_CENTER, host_organization=host,
                                    host_type="other", industry="新一代信息技术",
                                    industry_chain="集成电路、通信设备", level="provincial", managing_office=office)
    year = services.today().year - 1
    application = services.application_create(
        actor=None, center=center, year=year,
        summary="依托产业园建设，设有专门工作机构和场地，专职人员6名，年度经费由园区管委会保障（演示数据）。",
        achievements="开展技术需求征集、专利推送和供需对接活动（演示数据；工作成效数字以平台记录为准）。")
    services.application_submit(actor=None, application=application)
    report = services.report_generate(actor=None, center=center, year=year)
    return {"centers_created": 1, "applications": [application.pk], "annual_reports": [report.pk]}
