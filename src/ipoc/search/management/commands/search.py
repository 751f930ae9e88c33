import json
import sys

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand, to_json
from ipoc.search import selectors


class Command(IpocCommand):
    help = ('专利检索；--queries FILE.jsonl 批量（每行 {"id","q"}）/ Search patents; batch with --queries FILE.jsonl')

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="?", default="")
        parser.add_argument("--queries", metavar="FILE.jsonl",
                            help='每行一个 {"id":…,"q":…[,"filters":{…}]} / one JSON object per line')
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--filters", help='筛选条件 JSON，如 {"legal_status":"valid"} / filters as JSON')

    def handle(self, *args, **options):
        if options["queries"]:
            return self._batch(options)
        try:
            filters = json.loads(options["filters"]) if options["filters"] else None
        except ValueError as exc:
            raise ApplicationError(f"--filters 不是有效的 JSON / not valid JSON: {exc}", field="filters") from exc
        page = selectors.search_patents(user=None, q=options["query"], filters=filters, limit=options["limit"],
                                        facets=False)
        rows = selectors.describe_hits(page.hits)
        data = {"q": options["query"], "total": page.total,
                "hits": [{"patent": r["number"], "id": r["id"], "title": r["title"], "score": r["score"],
                          "snippets": r["snippets"]} for r in rows]}
        text = "\n".join([f"共 {page.total} 件 / {page.total} matches"] +
                         [f"{r['rank']:>3}. {r['number']:<16} {r['score']:.4f}  {r['title']}" for r in rows])
        self.emit(options, data, text)

    def _batch(self, options):
        """One output line per input line, in order; a bad line yields an error object naming it."""
        errors = 0
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
                    q = item.get("q", item.get("query"))
                    if not isinstance(q, str):
                        raise ValueError('缺少字符串字段 "q" / missing string field "q"')
                    page = selectors.search_patents(user=None, q=q, filters=item.get("filters"),
                                                    limit=int(item.get("limit") or options["limit"]),
                                                    facets=False, snippets=False)
                    numbers = {r["id"]: r["number"] for r in selectors.describe_hits(page.hits)}
                    out = {"id": qid, "hits": [{"patent": numbers[h.patent_id], "score": round(h.score, 6)}
                                               for h in page.hits if h.patent_id in numbers]}
                except (ValueError, TypeError, ApplicationError) as exc:
                    errors += 1
                    message = exc.message if isinstance(exc, ApplicationError) else str(exc)
                    out = {"id": qid, "line": n, "error": f"第 {n} 行 / line {n}: {message}"}
                    sys.stderr.write(out["error"] + "\n")
                self.stdout.write(json.dumps(out, ensure_ascii=False) if options["json"] else to_json(out))
        if errors:
            sys.stderr.write(f"{errors} 行输入有误，其余已检索 / {errors} bad input line(s); the others ran\n")
