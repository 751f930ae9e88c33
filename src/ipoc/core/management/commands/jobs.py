from ipoc.core.errors import NotFound
from ipoc.core.jobs import job_resume, jobs_mark_stale_interrupted
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import Job


class Command(IpocCommand):
    help = ("后台任务：列表、取消、重新排队与续跑 / Background jobs: list [--failed-chunks], cancel ID, "
            "retry ID (back on the queue), resume ID (here, in the foreground), queue (depth and workers)")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "cancel", "retry", "resume", "queue"])
        parser.add_argument("job_id", nargs="?", type=int)
        parser.add_argument("--failed-chunks", action="store_true",
                            help="只列出重试后仍失败的分块（死信）/ only dead-lettered chunks")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, **options):
        from ipoc.core import queue

        jobs_mark_stale_interrupted()
        action = options["action"]
        if action == "queue":
            data = {"depth": queue.queue_depth(), "workers": queue.workers_alive(),
                    "broker": queue.queue_url() or "sqlite (embedded)",
                    "dead_letters": len(queue.dead_letters())}
            text = (f"队列 {data['broker']}：待处理 {data['depth']}，工作进程 {len(data['workers'])} 个，"
                    f"死信分块 {data['dead_letters']} 个\n"
                    + "\n".join(f"  {w['name']}  任务 {w.get('jobs', 0)}  分块 {w.get('chunks', 0)}  "
                                f"{w['per_minute']}/分钟" for w in data["workers"]))
            return self.emit(options, data, text)
        if action == "list":
            qs = queue.dead_letters(options["limit"]) if options["failed_chunks"] else \
                Job.objects.exclude(kind=queue.CHUNK_KIND)[: options["limit"]]
            rows = [{"id": j.pk, "kind": j.kind, "title": j.title, "status": j.status, "done": j.progress_done,
                     "total": j.progress_total, "error": j.error} for j in qs]
            text = "\n".join(f"#{r['id']:<5} {r['status']:<12} {r['done']}/{r['total'] or '?':<8} {r['kind']} "
                             f"{r['title']}" + (f"  —— {r['error']}" if r["error"] else "")
                             for r in rows) or "（无任务 / no jobs）"
            return self.emit(options, rows, text)
        job = Job.objects.filter(pk=options["job_id"]).first() if options["job_id"] else None
        if job is None:
            raise NotFound(f"任务不存在 / no such job: {options['job_id']}", field="job_id")
        if action == "cancel":
            job = queue.job_cancel(job)
        elif action == "retry":
            job = queue.job_requeue(job)
        else:
            job = job_resume(job, progress_bar=not options["json"])
        self.emit(options, {"id": job.pk, "status": job.status, "result": job.result},
                  f"任务 #{job.pk}：{job.get_status_display()}")
