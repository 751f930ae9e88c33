import os
from pathlib import Path

from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand


class Command(IpocCommand):
    help = ("截图图集：以每个演示角色登录，逐页截图并检查 / Screenshot gallery: a PNG of every page for every demo role, "
            "with the crawl checks: ipoc screenshots OUT_DIR [--url http://127.0.0.1:8000]")

    def add_arguments(self, parser):
        parser.add_argument("out_dir")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="a running IPOC (ipoc serve) with the demo")
        parser.add_argument("--roles", default="", help="comma-separated demo users (default: all seven)")
        parser.add_argument("--max-pages", type=int, default=60)
        parser.add_argument("--password", default=os.environ.get("IPOC_DEMO_PASSWORD", "ipoc-demo-2026"))
        parser.add_argument("--guide", action="store_true",
                            help="只拍用户操作手册的配图，写入 OUT_DIR/<手册>/（仓库中为 src/ipoc/static/ipoc/guide）"
                                 " / only the user guides' pictures, into OUT_DIR/<guide>/")
        parser.add_argument("--empty", action="store_true",
                            help="也列出显示空状态（暂无…）的页面 / also list the pages that show an empty state")

    def handle(self, *args, **options):
        from ipoc.core import uicrawl

        if not os.path.exists(uicrawl.CHROMIUM):
            raise ApplicationError("需要 Debian 的 chromium（scripts/ensure-chromium.sh）/ Debian's chromium is needed",
                                   field="browser")
        out = Path(options["out_dir"]).resolve()
        out.mkdir(parents=True, exist_ok=True)
        if options["guide"]:
            rows = uicrawl.guide_pictures(options["url"], out, password=options["password"])
            self.emit(options, rows, "\n".join(f"  {r['file']}  {r['bytes'] // 1024} KB  ← {r['url']}" for r in rows))
            return
        roles = [r for r in options["roles"].split(",") if r] or list(uicrawl.DEMO_ROLES)
        results = uicrawl.crawl(options["url"], roles=roles, password=options["password"],
                                max_pages=options["max_pages"], out_dir=out, anonymous=not options["roles"])
        index = uicrawl.write_gallery(out, results)
        bad = [r for r in results if r.problems]
        empty = [r for r in results if r.notes]
        text = (f"{len(results)} 页 / pages, {len(bad)} 页有问题 / with problems, {len(empty)} 页有空状态 / with an "
                f"empty state; 图集 / gallery: {index}\n"
                + "\n".join(f"  [{r.role}] {r.url}: {'; '.join(r.problems)}" for r in bad))
        if options["empty"]:
            text += "\n空状态 / empty states:\n" + "\n".join(f"  [{r.role}] {r.url}: {' | '.join(r.notes)}"
                                                           for r in empty)
        self.emit(options, {"pages": len(results), "with_problems": len(bad), "gallery": str(index),
                            "problems": [{"role": r.role, "url": r.url, "problems": r.problems} for r in bad],
                            "empty_states": [{"role": r.role, "url": r.url, "notes": r.notes} for r in empty]},
                  text)
