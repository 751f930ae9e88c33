from ipoc.core.errors import NotFound
from ipoc.core.jobs import job_resume, jobs_mark_stale_interrupted
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import Job


class Command(IpocCommand):
    help = "后台任务：列表与续跑 / Background jobs: list, resume ID"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "resume"])
        parser.add_argument("job_id", nargs="?", type=int)

    def handle(self, *args, **options):
        jobs_mark_stale_interrupted()
        if options["action"] == "list":
            rows = [{"id": j.pk, "kind": j.kind, "title": j.title, "status": j.status, "done": j.progress_done,
                     "total": j.progress_total} for j in Job.objects.all()[:50]]
            text = "\n".join(f"#{r['id']:<5} {r['status']:<12} {r['done']}/{r['total'] or '?':<8} {r['kind']} {r['title']}"
                             for r in rows) or "（无任务 / no jobs）"
            return self.emit(options, rows, text)
        job = Job.objects.filter(pk=options["job_id"]).first()
        if job is None:
            raise NotFound(f"任务不存在 / no such job: {options['job_id']}", field="job_id")
        job = job_resume(job, progress_bar=not options["json"])
        self.emit(options, {"id": job.pk, "status": job.status, "result": job.result},
                  f"任务 #{job.pk}：{job.get_status_display()}")
