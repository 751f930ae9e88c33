from ipoc.core.errors import NotFound
from ipoc.core.jobs import job_resume
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import Job
from ipoc.search import services


class Command(IpocCommand):
    help = ("检索索引：重建、向量编码、状态、同步、倒排向量索引 / Search index: rebuild (resumable), encode, status, sync, "
            "ivf (the coarse quantiser of a large vector store)")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "encode", "status", "sync", "ivf"])
        parser.add_argument("--force", action="store_true",
                            help="ivf：即使向量较少或索引较新也重建 / ivf: build even when small or recent")
        parser.add_argument("--chunk", type=int, default=services.REBUILD_CHUNK,
                            help="每次提交的专利数 / patents per committed chunk")
        parser.add_argument("--clear-vectors", action="store_true",
                            help="重建时同时清空向量库（更换编码器后）/ also drop all vectors (after changing encoder)")
        parser.add_argument("--batch", type=int, default=services.ENCODE_BATCH, help="编码批大小 / encoder batch")
        parser.add_argument("--limit", type=int, help="最多编码条数 / encode at most N patents")
        parser.add_argument("--reset-vectors", action="store_true",
                            help="向量由其他编码器生成时先清空再编码 / drop vectors made by another encoder first")
        parser.add_argument("--workers", type=int,
                            help="分词进程数（默认：大库 2 个，小库 1 个）/ tokeniser processes (default: 2 for large stores)")
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="续跑中断的重建任务 / resume a rebuild job")

    def handle(self, *args, **options):
        action, bar = options["action"], not options["json"]
        if action == "status":
            data = services.engine().status()
            text = (f"索引 {data['indexed']} 件，已编码 {data['encoded']} 件，待编码 {data['not_encoded']} 件，"
                    f"待同步 {data['pending_sync']} 件；编码器 {data['encoder']}；IPC 模型 {data['ipc_model'] or '未训练'}"
                    f"\n{data['directory']}")
            if data["vector_error"]:
                text += f"\n向量库不可用 / vector store unusable: {data['vector_error']}"
            return self.emit(options, data, text)
        if action == "ivf":
            data = services.vectors_index_maintain(force=options["force"])
            ivf = data["ivf"]
            text = (f"向量 {data['vectors']} 条；倒排向量索引 {ivf['nlist']} 个列表"
                    f"{'（已重建，' + str(data['seconds']) + 's）' if data['built'] else '（无需重建）'}" if ivf else
                    f"向量 {data['vectors']} 条，少于 {services.IVF_MIN_VECTORS} 条，逐条比对即可，不建倒排向量索引")
            if data.get("graph"):
                text += f"\n近邻图 {data['graph']['built_count']} 条{'（已重建）' if data['graph_built'] else '（无需重建）'}"
            return self.emit(options, data, text)
        if action == "sync":
            data = services.sync_ids([], workers=options["workers"])
            return self.emit(options, data, f"已同步 {data['indexed']} 件，移除 {data['removed']} 件")
        if options["resume"]:
            job = Job.objects.filter(pk=options["resume"], kind__startswith="search.").first()
            if job is None:
                raise NotFound(f"没有这个索引任务 / no such index job: {options['resume']}", field="resume")
            job = job_resume(job, progress_bar=bar)
        elif action == "rebuild":
            job = services.index_rebuild(chunk=options["chunk"], clear_vectors=options["clear_vectors"],
                                         workers=options["workers"], progress_bar=bar, via="cli")
        else:
            job = services.index_encode(batch=options["batch"], limit=options["limit"],
                                        reset_vectors=options["reset_vectors"], progress_bar=bar, via="cli")
        r = job.result
        data = {"job_id": job.pk, "status": job.status, **r}
        if job.kind == "search.rebuild":
            text = f"已索引 {r['indexed']} 件（索引中共 {r['in_index']} 件），耗时 {r['seconds']}s"
        else:
            text = f"已编码 {r['encoded']} 件，{r['texts_per_second']} 条/秒，耗时 {r['seconds']}s（{r['encoder']}）"
        self.emit(options, data, text)
