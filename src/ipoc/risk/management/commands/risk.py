import json
from pathlib import Path

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.risk import selectors, services


class Command(IpocCommand):
    help = ("出口前风险预警与供应链合规排查 / Export risk check and supply-chain review: "
            "ipoc risk check --product FILE.json --markets CN,US | ipoc risk report N --pdf OUT.pdf | "
            "ipoc risk bom FILE.xlsx")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "report", "bom"])
        parser.add_argument("target", nargs="?", help="report: 排查编号 / check id; bom: 文件 / file")
        parser.add_argument("--product", metavar="FILE.json", help="check: 产品描述 / product (JSON)")
        parser.add_argument("--markets", help="check: 目标市场，逗号分隔 / markets, e.g. CN,US")
        parser.add_argument("--pdf", metavar="OUT.pdf", help="report: 另存为 PDF / write the PDF")
        parser.add_argument("--requester", help="申请单位名称 / requesting organisation (default from the JSON)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "check":
            data = services.cli_check(product=_read_json(options["product"]), markets=options["markets"],
                                      requester=options["requester"])
            return self.emit(options, data, _check_text(data))
        if action == "report":
            if not (options["target"] or "").isdecimal():
                raise ApplicationError("请给出排查编号 / give the check id", field="target")
            check = selectors.check_get(user=None, pk=int(options["target"]))
            report = selectors.report_latest(check)
            content = report.content if report else services.report_content(check)
            if options["pdf"]:
                from ipoc.risk.pdf import render_pdf

                try:
                    Path(options["pdf"]).write_bytes(render_pdf(content))
                except OSError as exc:
                    raise ApplicationError(f"无法写入 / cannot write {options['pdf']}: {exc.strerror}",
                                           field="pdf") from exc
            out = {"check": check.pk, "version": report.version if report else None, "pdf": options["pdf"],
                   "risk": check.risk, "conclusions": content["conclusions"]}
            return self.emit(options, out, "\n".join(f"{c['label']}：{c['risk_label']} {c['text']}"
                                                     for c in content["conclusions"])
                             + (f"\nPDF: {options['pdf']}" if options["pdf"] else ""))
        if not options["target"]:
            raise ApplicationError("请给出物料清单文件 / give the BOM file", field="target")
        good, report = services.read_bom(Path(options["target"]))
        out = report | {"lines": [g | {"value": str(g["value"]) if g["value"] is not None else None} for g in good]}
        return self.emit(options, out, f"{report['counts']['accepted']} 行可导入，拒绝 {report['counts']['rejected']} 行"
                         + "".join(f"\n  第 {r['row']} 行 {r['field']}：{r['reason']}" for r in report["rejected_rows"]))


def _read_json(path):
    if not path:
        raise ApplicationError("请用 --product 给出产品 JSON 文件 / give --product FILE.json", field="product")
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ApplicationError(f"无法读取 / cannot read {path}: {exc.strerror}", field="product") from exc
    except json.JSONDecodeError as exc:
        raise ApplicationError(f"不是有效的 JSON / not valid JSON: {exc.msg} (line {exc.lineno})",
                               field="product") from exc


def _check_text(d: dict) -> str:
    lines = [f"排查 #{d['id']} {d['title']}：总体风险 {d['risk_label']}", f"  {d['stop_reason']}"]
    for c in d["candidates"][:20]:
        lines.append(f"  {c['rank']:>3}. {c['number']} {c['title'][:40]} · {c['risk']} · "
                     + "；".join(f"{m}:{'保留' if v['kept'] else '排除'}" for m, v in c["markets"].items()))
    return "\n".join(lines)

