from ipoc.core.management.base import IpocCommand
from ipoc.core.models import Organization
from ipoc.demands import services


class Command(IpocCommand):
    help = "导入技术需求（CSV/XLSX 模板或 demands.csv，标记疑似重复）/ Import demands, flagging near-duplicates"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--center", help="受理运营中心名称 / handling center name")

    def handle(self, *args, **options):
        center = Organization.objects.filter(name=options["center"]).first() if options["center"] else None
        if options["center"] and center is None:
            from ipoc.core.errors import NotFound

            raise NotFound(f"运营中心不存在 / no such center: {options['center']}", field="center")
        report = services.demand_import(actor=None, path=options["file"], center=center)
        c = report["counts"]
        lines = [f"{report['file']}: 读取 {c['rows']} 行，新增 {c['new']}，更新 {c['updated']}，未变 {c['unchanged']}，"
                 f"拒绝 {c['rejected']}，疑似重复 {c['flagged_duplicates']}"]
        lines += [f"  拒绝 {r['file']}:{r['row']} [{r['field']}] {r['reason']}" for r in report["rejected_rows"]]
        lines += [f"  疑似重复 第{d['row']}行《{d['title']}》≈ #{d['duplicate_of_id']}《{d['duplicate_of_title']}》"
                  f"（{d['similarity']}）" for d in report["duplicates"][:30]]
        self.emit(options, report, "\n".join(lines))
