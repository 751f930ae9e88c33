import datetime as dt

from ipoc.core.management.base import IpocCommand
from ipoc.deals import selectors


class Command(IpocCommand):
    help = "交易撮合统计 / Deals: ipoc deals stats --center NAME --year 2025 [--json]"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["stats"])
        parser.add_argument("--center", required=True, help="运营中心（组织机构）名称 / center organisation name")
        parser.add_argument("--year", type=int, default=dt.date.today().year, help="统计年度 / year")

    def handle(self, *args, **options):
        center = selectors.center_for_statistics(user=None, name=options["center"])
        year = options["year"]
        figures = selectors.deal_statistics(user=None, center=center, year=year)
        data = {"center": {"id": center.pk, "name": center.name}, "year": year, "figures": figures}
        lines = [f"{center.name} · {year} 年度"]
        for f in figures.values():
            value = "—" if f["value"] is None else f"{f['value']} {f['unit']}"
            ids = ", ".join(str(i) for i in f["record_ids"][:20])
            more = f" …(+{len(f['record_ids']) - 20})" if len(f["record_ids"]) > 20 else ""
            lines.append(f"  {f['label']}：{value}")
            lines.append(f"    {f['record_model']} #{ids or '（无 / none）'}{more}")
        self.emit(options, data, "\n".join(lines))
