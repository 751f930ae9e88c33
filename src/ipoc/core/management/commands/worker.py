import logging

from ipoc.core.management.base import IpocCommand


class Command(IpocCommand):
    help = ("启动任务队列工作进程 / Run a task-queue worker (IPOC_QUEUE_URL: redis://… for many machines; "
            "unset: the embedded SQLite queue of this IPOC_HOME)")
    json_option = False

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=1,
                            help="工作线程数（默认 1；多核请多开进程）/ worker threads (default 1; run more "
                                 "processes for more cores)")
        parser.add_argument("--queue", default=None, help="覆盖 IPOC_QUEUE_URL / override IPOC_QUEUE_URL")

    def handle(self, *args, **options):
        import os

        if options["queue"]:
            os.environ["IPOC_QUEUE_URL"] = options["queue"]
        from ipoc.core import queue

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        where = queue.queue_url() or "SQLite（嵌入式 / embedded）"
        self.stdout.write(f"IPOC 工作进程 {queue.worker_name()}：{options['threads']} 线程，队列 {where}"
                          "  (Ctrl+C 停止 / stop)")
        self.stdout.flush()
        queue.run_worker(threads=max(1, options["threads"]))
