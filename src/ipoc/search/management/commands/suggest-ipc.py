import json
import sys

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.search import selectors

BATCH = 256


class Command(IpocCommand):
    help = 'IPC 小类推荐；--queries FILE.jsonl 批量（每行 {"id","text"}）/ Suggest IPC subclasses (batch: --queries)'

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", default="")
        parser.add_argument("--queries", metavar="FILE.jsonl",
                            help='每行一个 {"id":…,"text":…}（也接受 "q"、"title"）/ one JSON object per line')
        parser.add_argument("--top", type=int, default=5)

    def handle(self, *args, **options):
        if options["queries"]:
            return self._batch(options)
        ipc = selectors.suggest_ipc(text=options["text"], top=options["top"])
        data = {"text": options["text"], "ipc": [{"code": c, "score": round(s, 6)} for c, s in ipc]}
        self.emit(options, data, "\n".join(f"{c}  {s:.3f}" for c, s in ipc))

    def _batch(self, options):
        if options["top"] < 1 or options["top"] > 50:
            raise ApplicationError("top 应在 1–50 之间", field="top")
        pending: list[tuple[object, str]] = []
        errors = 0

        def flush():
            results = selectors.suggest_ipc_many([t for _i, t in pending], top=options["top"])
            for (qid, _t), ipc in zip(pending, results, strict=True):
                self._out(options, {"id": qid, "ipc": [{"code": c, "score": round(s, 6)} for c, s in ipc]})
            pending.clear()

        with open(options["queries"], encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                qid = None
                try:
                    item = json.loads(line)
                    if not isinstance(item, dict):
                        raise ValueError("每行应为 JSON 对象 / each line must be a JSON object")
                    qid = item.get("id")
                    text = item.get("text", item.get("q", item.get("title")))
                    if not isinstance(text, str) or not text.strip():
                        raise ValueError('缺少字段 "text" / missing field "text"')
                except ValueError as exc:
                    errors += 1
                    flush()  # keep output in input order
                    error = {"id": qid, "line": n, "error": f"第 {n} 行 / line {n}: {exc}"}
                    sys.stderr.write(error["error"] + "\n")
                    self._out(options, error)
                    continue
                pending.append((qid, text))
                if len(pending) >= BATCH:
                    flush()
        if pending:
            flush()
        if errors:
            sys.stderr.write(f"{errors} 行输入有误，其余已处理 / {errors} bad input line(s); the others ran\n")

    def _out(self, options, data):
        self.stdout.write(json.dumps(data, ensure_ascii=False) if options["json"]
                          else json.dumps(data, ensure_ascii=False, indent=2))
