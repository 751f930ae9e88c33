from pathlib import Path

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.pools import selectors, services


class Command(IpocCommand):
    help = ("专利池 / Patent pools: ipoc pools report FILE.xlsx --pool N [--licensee NAME] --period 2025Q4 | "
            "statement --pool N --period 2025Q4 | allocate --pool N --year 2025 [--method points] [--json]")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["report", "statement", "allocate"])
        parser.add_argument("file", nargs="?", help="报告文件 XLSX/CSV / report file (report)")
        parser.add_argument("--pool", type=int, required=True, help="专利池ID / pool id")
        parser.add_argument("--period", help="报告期，如 2025Q4 / period")
        parser.add_argument("--licensee", default="", help="被许可人名称（池中只有一个被许可人时可省略）/ licensee")
        parser.add_argument("--year", type=int, help="分配年度 / year (allocate)")
        parser.add_argument("--method", default="", help="points | family_country | patent_count")

    def handle(self, *args, **o):
        pool = selectors.pool_get(user=None, pk=o["pool"])
        if o["action"] == "report":
            if not o["file"] or not o["period"]:
                raise ApplicationError("请给出报告文件与 --period / file and --period are required", field="file")
            agreement = selectors.agreement_for_cli(pool=pool, licensee=o["licensee"])
            path = Path(o["file"])
            report, errors = services.report_import(actor=None, agreement=agreement, period=o["period"], path=path,
                                                    file_name=path.name)
            if report is None:
                lines = [f"第 {e['row']} 行 [{e['field']}] {e['message']}" for e in errors[:200]]
                self.emit(o, {"report": None, "errors": errors}, "\n".join(["未导入 / not imported:"] + lines))
                return
            st = selectors.statement_dict(selectors.statement_current(report))
            self.emit(o, {"report": report.pk, "statement": st},
                      f"报告 {report.pk} {report.period}：应付 {st['total']} 元（{len(st['lines'])} 行）")
        elif o["action"] == "statement":
            period, _s, _e = services.parse_period(o["period"] or "")
            rows = [selectors.statement_dict(s) for s in selectors.statement_for_period(user=None, pool=pool,
                                                                                         period=period)]
            text = "\n".join(f"{r['licensee']} {r['period']}：{r['total']} 元" for r in rows) or "（无账单 / none）"
            self.emit(o, {"pool": pool.pk, "period": period, "statements": rows}, text)
        else:
            if not o["year"]:
                raise ApplicationError("请给出 --year / --year is required", field="year")
            alloc = services.allocation_run(actor=None, pool=pool, year=o["year"], method=o["method"] or None)
            data = selectors.allocation_dict(alloc)
            text = "\n".join([f"{pool.name} {alloc.year}：收取 {alloc.collected}，管理费 {alloc.fee}，可分配 "
                              f"{alloc.distributable}"] + [f"  {s['licensor']}：{s['amount']}" for s in data["shares"]])
            self.emit(o, data, text)
