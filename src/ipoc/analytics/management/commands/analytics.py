from ipoc.analytics import report, selectors, services
from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand


class Command(IpocCommand):
    help = ("专利导航报告 / Landscape report: ipoc analytics report --set N --json | --pdf FILE | --xlsx FILE; "
            "ipoc analytics evaluate --set N")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["report", "evaluate"])
        parser.add_argument("--set", type=int, required=True, dest="set_id", help="专利集合ID / patent set id")
        parser.add_argument("--pdf", default="", help="写出 PDF 报告 / write the PDF report to FILE")
        parser.add_argument("--xlsx", default="", help="写出 Excel 报告 / write the Excel report to FILE")

    def handle(self, *args, **options):
        patent_set = selectors.patent_set_get(user=None, pk=options["set_id"])
        if options["action"] == "evaluate":
            services.patent_set_evaluate(actor=None, patent_set=patent_set)
            data = {"id": patent_set.pk, "size": patent_set.size, "evaluated_at": patent_set.evaluated_at.isoformat()}
            return self.emit(options, data, f"{patent_set.name}: {patent_set.size} 件 / patents")
        land = selectors.landscape(patent_set)
        written = []
        for fmt in ("pdf", "xlsx"):
            if options[fmt]:
                body = report.as_pdf(land) if fmt == "pdf" else report.as_xlsx(land)
                try:
                    with open(options[fmt], "wb") as fh:
                        fh.write(body)
                except OSError as exc:
                    raise ApplicationError(f"无法写入文件 / cannot write: {options[fmt]}", field=fmt) from exc
                services.landscape_report_record(actor=None, patent_set=patent_set, format=fmt)
                written.append(options[fmt])
        data = report.as_json(land)
        if written:
            data["written"] = written
        lines = [f"{patent_set.name} · {patent_set.size} 件 / patents"]
        lines += [f"  {a['title']}: {len(a['rows'])} 行 / rows" for a in data["analyses"].values() if "rows" in a]
        lines += [f"  → {f}" for f in written]
        self.emit(options, data, "\n".join(lines))
