from ipoc.core.management.base import IpocCommand


class Command(IpocCommand):
    help = "启动平台 Web 服务 / Run the web platform (waitress, default http://127.0.0.1:8000)"
    json_option = False

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **options):
        from waitress import serve

        from ipoc.core import queue
        from ipoc.core.jobs import jobs_mark_stale_interrupted
        from ipoc.core.uploads import discard_old_uploads, upload_limit
        from ipoc.wsgi import application

        jobs_mark_stale_interrupted(older_than_seconds=0, background=True)  # on the queue: requeues dead work
        if queue.start_embedded_workers():  # embedded queue: capped worker threads, never a request's thread
            self.stdout.write(f"任务队列：本进程 {queue.web_workers()} 个工作线程（嵌入式 SQLite 队列）")
        discard_old_uploads(older_than_days=7)  # files of imports whose process died long ago
        self.stdout.write(f"IPOC 正在运行 / running on http://{options['host']}:{options['port']}/  (Ctrl+C 停止)")
        # the body of one request may be as large as the largest upload (bulk patent files), no larger
        largest = max(upload_limit(k) for k in ("patents", "spreadsheet", "attachment")) + (16 << 20)
        serve(application, host=options["host"], port=options["port"], threads=options["threads"],
              max_request_body_size=largest)
