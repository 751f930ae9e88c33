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
    help = ("运营中心基础条件核查、年度报告、定期评价与提醒 / Centers: ipoc centers check NAME [--level 国家级] "
            "[--year 2025]; ipoc centers list; ipoc centers report NAME|--all --year 2025 (generate the annual "
            "report from the records); ipoc centers evaluate NAME|--all --year 2025 (open 定期评价 of recognised "
            "centers); ipoc centers remind (deadline reminders)")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "list", "report", "evaluate", "remind"])
        parser.add_argument("name", nargs="?", help="运营中心名称 / center name")
        parser.add_argument("--all", action="store_true", help="report/evaluate: 全部适用的运营中心 / every center")
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
        if options["action"] == "remind":
            from ipoc.centers import services

            result = services.reminders_send(actor=None)
            self.emit(options, result, f"到期提醒 / reminders: {result['items']} 项, {result['notifications']} 条消息")
            return
        if options["action"] in ("report", "evaluate"):
            self._batch(options)
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

    def _batch(self, options):
        """Annual reports or evaluations for one center or, with --all, every center it applies to; one
        center's refusal (e.g. a report already submitted) is reported and the others still run."""
        from ipoc.centers import services
        from ipoc.centers.models import QUALIFIED_STATUSES
        from ipoc.core.errors import ApplicationError

        year = options["year"]
        if options["all"]:
            centers = list(selectors.center_list_system())
            if options["action"] == "evaluate":
                centers = [c for c in centers if c.status in QUALIFIED_STATUSES]
        elif options["name"]:
            centers = [selectors.center_get_by_name(user=None, name=options["name"])]
        else:
            raise ApplicationError("请给出运营中心名称，或使用 --all / give a center name or --all", field="name")
        rows, text = [], []
        for i, center in enumerate(centers, 1):
            try:
                if options["action"] == "report":
                    report = services.report_generate(actor=None, center=center, year=year)
                    row = {"center": center.name, "report": report.pk, "status": report.status,
                           "lines": [{k: ln[k] for k in ("duty", "code", "label", "value", "unit", "missing")}
                                     | {"records": [f"{r['model']}#{r['id']}" for r in ln["records"]]}
                                     for ln in report.lines]}
                    text.append(f"[{i}/{len(centers)}] {center.name} {year} 年度报告 #{report.pk}")
                    text += [f"    {ln['label']}：{'数据未接入' if ln['missing'] else str(ln['value']) + ln['unit']}"
                             for ln in report.lines]
                else:
                    ev = services.evaluation_create(actor=None, center=center, year=year)
                    provisional = round(sum(ind["contribution"] for ind in ev.indicators), 2)
                    row = {"center": center.name, "evaluation": ev.pk, "status": ev.status,
                           "provisional_total_without_experts": provisional, "indicators": ev.indicators}
                    text.append(f"[{i}/{len(centers)}] {center.name} {year} 定期评价 #{ev.pk}"
                                f"（不含专家评分的暂计得分 {provisional}）")
            except ApplicationError as exc:
                row = {"center": center.name, "error": {"message": exc.message, "field": exc.field}}
                text.append(f"[{i}/{len(centers)}] {center.name}: ✗ {exc.message}")
            rows.append(row)
        self.emit(options, {"year": year, "action": options["action"], "results": rows},
                  "\n".join(text) or "（无 / none）")
