from ipoc.core.errors import NotFound
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import Job
from ipoc.patents import selectors, services
from ipoc.patents.importers import FORMATS


class Command(IpocCommand):
    help = "导入专利数据（incopat/uspto-xml/epo-xml/jsonl，可续导）/ Import patents (resumable)"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument("--batch-size", type=int, default=services.DEFAULT_BATCH_SIZE)
        parser.add_argument("--column-map", help="incopat 列名映射 JSON 文件 / header→field JSON file")
        parser.add_argument("--source", help="jsonl 来源名（外部ID前缀）/ jsonl source name for external ids")
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="续导中断的任务 / resume an interrupted job")

    def handle(self, *args, **options):
        if options["resume"]:
            job = Job.objects.filter(pk=options["resume"], kind="patents.import").first()
            if job is None:
                raise NotFound(f"没有这个导入任务 / no such import job: {options['resume']}", field="resume")
            batch = services.patent_import_resume(job=job, progress_bar=not options["json"])
        else:
            opts = {k: v for k, v in (("column_map_file", options["column_map"]), ("source", options["source"])) if v}
            batch = services.patent_import(actor=None, path=options["file"], format=options["format"],
                                           batch_size=options["batch_size"], options=opts,
                                           progress_bar=not options["json"])
        report = selectors.import_report(batch)
        c = report["counts"]
        lines = [f"{batch.file_name}（{batch.format}）: 读取 {c['rows']} 行，新增 {c['new']}，更新 {c['updated']}，"
                 f"未变 {c['unchanged']}，拒绝 {c['rejected']}，耗时 {batch.seconds}s / rows, new, updated, "
                 "unchanged, rejected"]
        lines += [f"  {r['file']}:{r['row']} [{r['field']}] {r['reason']}" for r in report["rejected_rows"][:50]]
        if len(report["rejected_rows"]) > 50:
            lines.append(f"  … 另有 {len(report['rejected_rows']) - 50} 条，见 --json / more with --json")
        self.emit(options, report, "\n".join(lines))
