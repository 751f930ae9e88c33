import datetime as dt

from ipoc.alliances import selectors
from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand


class Command(IpocCommand):
    help = ("创新联合体 / Innovation consortia: ipoc alliances list [--center ORG_ID] [--json] | "
            "ipoc alliances kpi --center CENTER_ID --year 2025 [--json]")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "kpi"])
        parser.add_argument("--center", type=int, help="list: 运营中心机构ID / center organisation id; "
                                                       "kpi: 运营中心登记ID / registered center id")
        parser.add_argument("--year", type=int, default=dt.date.today().year, help="统计年度 / year")

    def handle(self, *args, **options):
        if options["action"] == "list":
            rows = [{"id": c.pk, "name": c.name, "industry": c.industry, "center": c.center.name, "lead": c.lead.name,
                     "status": c.status, "status_label": str(c.get_status_display()),
                     "established_on": c.established_on, "members": c.member_count, "projects": c.project_count,
                     "shared_patents": c.shared_count}
                    for c in selectors.with_counts(selectors.consortium_list(user=None, center=options["center"]))]
            text = "\n".join(f"#{r['id']} {r['name']} · {r['lead']} · {r['status_label']} · 成员 {r['members']} · "
                             f"项目 {r['projects']}" for r in rows) or "（无 / none）"
            return self.emit(options, rows, text)
        if not options["center"]:
            raise ApplicationError("请用 --center 指定运营中心 / give --center", field="center")
        center = selectors.center_for_kpi(user=None, pk=options["center"])
        lines = selectors.kpi_lines(center, options["year"])
        data = {"center": {"id": center.pk, "name": center.name}, "year": options["year"], "figures": lines}
        text = [f"{center.name} · {options['year']} 年度"]
        for line in lines:
            text.append(f"  {line['label']}：{line['value']} {line['unit']}（{len(line['records'])} 条记录）")
        self.emit(options, data, "\n".join(text))
