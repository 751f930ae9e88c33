from ipoc.core.errors import ApplicationError, NotFound
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import Organization
from ipoc.matching import selectors, services


class Command(IpocCommand):
    help = "批量匹配开放需求与专利（含匹配说明）/ Match open demands to patents, with explanations"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="全部开放需求 / every open demand")
        parser.add_argument("--center", help="运营中心名称 / only this center's demands")
        parser.add_argument("--top", type=int, default=5, help="每条需求输出前 N 件 / patents shown per demand")
        parser.add_argument("--xlsx", help="导出 Excel（每条需求一页）/ write an Excel workbook here")

    def handle(self, *args, **options):
        if not options["all"]:
            raise ApplicationError("请使用 --all（可加 --center）/ use --all [--center NAME]", field="all")
        center = None
        if options["center"]:
            center = Organization.objects.filter(name=options["center"]).first()
            if center is None:
                raise NotFound(f"运营中心不存在 / no such center: {options['center']}", field="center")
        run = services.match_batch(actor=None, center=center, progress_bar=not options["json"])
        if options["xlsx"]:
            from pathlib import Path

            from ipoc.matching.export import run_xlsx

            Path(options["xlsx"]).write_bytes(run_xlsx(run))
        by_demand: dict[int, dict] = {}
        for m in selectors.run_matches(run):
            entry = by_demand.setdefault(m.demand_id, {"demand_id": m.demand_id, "title": m.demand.title, "patents": []})
            if len(entry["patents"]) < options["top"]:
                entry["patents"].append({"patent": m.patent.number, "score": round(m.score, 4),
                                         "terms": m.explanation.get("matched_terms", []),
                                         "shared_ipc": m.explanation.get("shared_ipc", [])})
        data = {"run_id": run.pk, "demands": run.demands, "matches": run.matches, "seconds": run.seconds,
                "results": list(by_demand.values())}
        lines = [f"匹配 {run.demands} 条需求，{run.matches} 个匹配，耗时 {run.seconds}s / demands, matches, seconds"]
        for d in data["results"][:20]:
            lines.append(f"  #{d['demand_id']} {d['title']}: " + "; ".join(
                f"{p['patent']}({p['score']}: {'、'.join(p['terms'][:4])})" for p in d["patents"][:3]))
        self.emit(options, data, "\n".join(lines))
