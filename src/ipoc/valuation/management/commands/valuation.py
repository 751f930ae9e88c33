import datetime as dt
from pathlib import Path

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.patents import selectors as patent_selectors
from ipoc.valuation import selectors, services
from ipoc.valuation.pdf import report_pdf


class Command(IpocCommand):
    help = ("专利评估 / Patent valuation: ipoc valuation score --all [--scenario S] | "
            "ipoc valuation show NUMBER [--pdf OUT.pdf]")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["score", "show"])
        parser.add_argument("numbers", nargs="*", help="专利号 / patent numbers (show: one; score: a subset)")
        parser.add_argument("--all", action="store_true", help="评估全部专利 / score every patent")
        parser.add_argument("--scenario", default=services.DEFAULT_SCENARIO, help="评估场景 / scenario code")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="评估基准日 / as-of date (YYYY-MM-DD)")
        parser.add_argument("--pdf", metavar="OUT.pdf", help="show: 报告另存为 PDF / also write the report as PDF")

    def handle(self, *args, **options):
        numbers = options["numbers"]
        if options["action"] == "show":
            if len(numbers) != 1:
                raise ApplicationError("请给出一个专利号 / give one patent number", field="numbers")
            patent = patent_selectors.patent_get(user=None, key_or_number=numbers[0])
            data = selectors.valuation_report(selectors.valuation_get(user=None, patent=patent))
            text = report_text(data)
            if options["pdf"]:
                try:
                    Path(options["pdf"]).write_bytes(report_pdf(data))
                except OSError as exc:
                    raise ApplicationError(f"无法写入 / cannot write {options['pdf']}: {exc.strerror}",
                                           field="pdf") from exc
                data = data | {"pdf": options["pdf"]}
                text += f"\nPDF: {options['pdf']}"
            return self.emit(options, data, text)
        if options["pdf"]:
            raise ApplicationError("--pdf 仅用于 show / --pdf goes with show", field="pdf")
        if options["all"] == bool(numbers):
            raise ApplicationError("请指定 --all 或专利号之一 / give --all or patent numbers", field="all")
        patents = None if options["all"] else [patent_selectors.patent_get(user=None, key_or_number=n) for n in numbers]
        run = services.valuation_run(actor=None, scenario=options["scenario"], patents=patents,
                                     as_of=options["as_of"], progress_bar=not options["json"])
        data = run.job.result
        self.emit(options, data, f"评估批次 #{run.pk}：{data['scored']} 件，评级 {data['grades']}，"
                                 f"平均置信度 {data['mean_confidence']}，用时 {data['seconds']} 秒")


def _fmt(x, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def report_text(d: dict) -> str:
    lines = [f"{d['patent']['number']}  {d['patent']['title']}",
             f"  总分 {_fmt(d['score'], 1)}  评级 {d['grade'] or '-'}  置信度 {_fmt(d['confidence'])}  "
             f"建议 {d['recommendation']['zh']}  （{d['run']['scenario_zh']}，批次 #{d['run']['id']}）",
             f"  {'原值':>10} {'百分位':>6} {'权重':>7} {'贡献':>6}  指标"]
    for i in d["indicators"]:
        raw = "缺失" if i["missing"] else _fmt(i["raw"])
        lines.append(f"  {raw:>10} {_fmt(i['percentile']):>6} {_fmt(i['weight'], 4):>7} {_fmt(i['contribution']):>6}  "
                     f"{i['name_zh']}{' [待核实]' if i['pending_check'] else ''}")
    return "\n".join(lines)
