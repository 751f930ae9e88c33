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

    def handle(self, *args, **options):
        from ipoc.core import uicrawl

        if not os.path.exists(uicrawl.CHROMIUM):
            raise ApplicationError("需要 Debian 的 chromium（scripts/ensure-chromium.sh）/ Debian's chromium is needed",
                                   field="browser")
        out = Path(options["out_dir"]).resolve()
        out.mkdir(parents=True, exist_ok=True)
        roles = [r for r in options["roles"].split(",") if r] or list(uicrawl.DEMO_ROLES)
        results = uicrawl.crawl(options["url"], roles=roles, password=options["password"],
                                max_pages=options["max_pages"], out_dir=out, anonymous=not options["roles"])
        index = uicrawl.write_gallery(out, results)
        bad = [r for r in results if r.problems]
        self.emit(options, {"pages": len(results), "with_problems": len(bad), "gallery": str(index),
                            "problems": [{"role": r.role, "url": r.url, "problems": r.problems} for r in bad]},
                  f"{len(results)} 页 / pages, {len(bad)} 页有问题 / with problems; 图集 / gallery: {index}\n"
                  + "\n".join(f"  [{r.role}] {r.url}: {'; '.join(r.problems)}" for r in bad))
