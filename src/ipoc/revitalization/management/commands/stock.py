from pathlib import Path

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.revitalization import importers, selectors, services


class Command(IpocCommand):
    help = ("存量专利盘活 / Stock patent revitalization: ipoc stock import FILE --institution NAME; "
            "ipoc stock template OUT.xlsx; ipoc stock grade|screen --institution NAME; ipoc stock dashboard")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "template", "grade", "screen", "dashboard"])
        parser.add_argument("file", nargs="?", help="建档表（XLSX/CSV）或模板输出路径 / sheet or template output path")
        parser.add_argument("--institution", default="", help="高校/院所名称 / institution name")

    def _institution(self, options):
        if not options["institution"]:
            raise ApplicationError("请用 --institution 指定高校/院所 / give --institution NAME", field="institution")
        return selectors.institution_by_name(options["institution"])

    def handle(self, *args, **options):
        action = options["action"]
        if action == "template":
            out = Path(options["file"] or "stock-patent-template.xlsx")
            out.write_bytes(importers.template_xlsx())
            self.emit(options, {"path": str(out)}, f"模板已写入 / template written: {out}")
            return
        if action == "dashboard":
            data = selectors.dashboard(user=_CliUser())
            lines = [f"{r['name']}: 盘点 {r['inventoried']} · 筛选 {r['screened']} · 资源库 {r['resource_library']}"
                     f" · 推送 {r['pushed']} · 反馈 {r['responded']} · 转化 {r['converted']}"
                     for r in data["institutions"]]
            self.emit(options, data, "\n".join(lines) or "（无 / none）")
            return
        institution = self._institution(options)
        if action == "grade":
            data = services.stock_grade(actor=None, institution=institution)
            self.emit(options, data, f"{data['institution']}: 评价 {data['graded']} 件 · "
                      + " · ".join(f"{k} {v}" for k, v in data["by_recommendation"].items())
                      + f" · 建议放弃维持可节省年费 {data['abandon_fee_saving']} 元")
            return
        if action == "screen":
            data = services.stock_screen_institution(actor=None, institution=institution)
            self.emit(options, data, f"进入专利转化资源库 {data['passed']} 件，留在基础库 {data['kept_in_base']} 件")
            return
        if not options["file"]:
            raise ApplicationError("请给出建档表文件 / give the sheet file", field="file")
        report = services.stock_import(actor=None, institution=institution, path=options["file"])
        c = report["counts"]
        lines = [f"{report['file']}: 读取 {c['rows']} 行 · 新增 {c['created']} · 更新 {c['updated']} · "
                 f"拒绝 {c['rejected']} · 提示 {c['warnings']}"]
        lines += [f"  ✗ {r['file']}:{r['row']} [{r['field']}] {r['reason']}" for r in report["rejected_rows"]]
        lines += [f"  ! {r['file']}:{r['row']} [{r['field']}] {r['reason']}" for r in report["warnings"]]
        self.emit(options, report, "\n".join(lines))


class _CliUser:
    """The CLI operator: sees every institution (like a platform administrator)."""

    is_authenticated = True
    is_platform_admin = True
    pk = None
    organization_id = None
    role = "platform_admin"
