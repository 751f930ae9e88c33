import datetime as dt

from ipoc.centers import selectors
from ipoc.core.management.base import IpocCommand

MARK = {"met": "✓", "not_met": "✗", "missing": "?"}


def _line(c: dict, indent: str = "  ") -> list[str]:
    figure = "—" if c["figure"] is None else f"{c['figure']}{c['unit']}"
    threshold = "" if c["threshold"] is None else f" / 门槛 {c['threshold']}"
    confirm = " [待核实]" if c["to_confirm"] else ""
    ids = ", ".join(f"{r['model']}#{r['id']}" for r in c["records"][:20])
    more = f" …(+{len(c['records']) - 20})" if len(c["records"]) > 20 else ""
    out = [f"{indent}{MARK[c['verdict']]} {c['label']}：{figure}{threshold} → {c['verdict_label']}{confirm}"
           + (f"（{c['note']}）" if c["note"] else "")]
    if ids:
        out.append(f"{indent}    记录 / records: {ids}{more}")
    for child in c["any_of"]:
        out += _line(child, indent + "    ")
    return out


class Command(IpocCommand):
    help = ("运营中心基础条件核查与名录 / Centers: ipoc centers check NAME [--level 国家级] [--year 2025]; "
            "ipoc centers list")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "list"])
        parser.add_argument("name", nargs="?", help="运营中心名称 / center name")
        parser.add_argument("--level", default="", help="按哪一层级的条件核查：国家级、省级、市级 / level")
        parser.add_argument("--year", type=int, default=dt.date.today().year - 1, help="统计年度 / year")

    def handle(self, *args, **options):
        if options["action"] == "list":
            rows = [{"id": c.pk, "name": c.name, "level": c.get_level_display(), "status": c.get_status_display(),
                     "industry": c.industry, "managing_office": str(c.managing_office), "branch_flag": c.branch_flag}
                    for c in selectors.center_list_system()]
            self.emit(options, rows, "\n".join(f"#{r['id']} {r['name']} · {r['level']} · {r['status']}"
                                               f"{' · ⚠ ' + r['branch_flag'] if r['branch_flag'] else ''}"
                                               for r in rows) or "（无 / none）")
            return
        if not options["name"]:
            from ipoc.core.errors import ApplicationError

            raise ApplicationError("请给出运营中心名称 / give a center name", field="name")
        center = selectors.center_get_by_name(user=None, name=options["name"])
        data = selectors.center_check(user=None, center=center, level=options["level"], year=options["year"])
        lines = [f"{data['center']['name']} · 按{data['level_label']}条件 · {data['year']} 年度 → {data['verdict_label']}"]
        for c in data["conditions"]:
            lines += _line(c)
        self.emit(options, data, "\n".join(lines))
