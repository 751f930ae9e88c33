from pathlib import Path

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.industrialization import selectors, services


class Command(IpocCommand):
    help = ("专利产业化 / Industrialization: ipoc industrialization projects --center N [--json] | "
            "pack PRODUCT --out PACK.xlsx [--year Y] | import-years FILE.xlsx | reminders")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["projects", "pack", "import-years", "reminders"])
        parser.add_argument("target", nargs="?", help="产品ID或名称（pack）/ 数据表（import-years）")
        parser.add_argument("--center", help="运营中心组织ID或名称 / center organisation id or name")
        parser.add_argument("--out", help="备案材料输出路径（.xlsx 或 .pdf）/ pack output file")
        parser.add_argument("--year", type=int, help="数据年度（默认最近一次准备的材料）/ data year")

    def handle(self, *args, **options):
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _projects(self, options):
        rows = selectors.projects_for_center(options.get("center") or "")
        text = "\n".join(f"#{r['id']} {r['title']} · {r['enterprise']} · {r['stage_label']}" for r in rows["projects"])
        self.emit(options, rows, f"{rows['center']['name']}：{len(rows['projects'])} 个产业化项目\n{text}")

    def _pack(self, options):
        if not options.get("target") or not options.get("out"):
            raise ApplicationError("用法：ipoc industrialization pack PRODUCT --out PACK.xlsx", field="target")
        out = Path(options["out"])
        filing = services.filing_for_export(selectors.product_by_ref(options["target"]), options.get("year"))
        body = services.pack_pdf(filing) if out.suffix.lower() == ".pdf" else services.pack_xlsx(filing)
        out.write_bytes(body)
        data = {"product": filing.product.name, "data_year": filing.data_year, "status": filing.status,
                "out": str(out), "bytes": len(body)}
        self.emit(options, data, f"{filing.product.name} · {filing.data_year} 年度备案材料 → {out}")

    def _import_years(self, options):
        if not options.get("target"):
            raise ApplicationError("用法：ipoc industrialization import-years FILE.xlsx", field="target")
        report = services.product_years_import(actor=None, path=Path(options["target"]))
        lines = [f"已导入 {report['created']} 条"] + [f"  第 {e['row']} 行 {e['field']}：{e['message']}"
                                                      for e in report["errors"]]
        self.emit(options, report, "\n".join(lines))

    def _reminders(self, options):
        n = services.filing_reminders()
        self.emit(options, {"sent": n}, f"已发送 {n} 条年度备案提醒")
