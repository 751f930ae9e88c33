from ipoc.core.management.base import IpocCommand
from ipoc.search import services, training


class Command(IpocCommand):
    help = ("向量编码器：export 导出 int8 快速编码器（需 onnx、onnxruntime）；train 用 titles_ipc.csv 微调专利编码器"
            "（需 torch，可选依赖 train）/ Encoder: export the fast int8 ONNX encoder; train a patent-tuned one")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "train"])
        parser.add_argument("file", nargs="?", help="train: titles_ipc.csv（publication_number,title,ipc_subclasses,fold）")
        parser.add_argument("--max-tokens", type=int, help="段落词元上限（默认 64）/ passage token budget (default 64)")
        parser.add_argument("--layers", type=int, help="只保留前 N 层 / keep the first N layers")
        parser.add_argument("--weights", help="export：微调模型的 weights.npz / a tuned model's weights.npz")
        parser.add_argument("--float32", action="store_true", help="不量化为 int8 / keep float32 weights")
        parser.add_argument("--train-folds", default="1,2,3", help="train：训练折 / training folds (default 1,2,3)")
        parser.add_argument("--select-fold", type=int, default=4, help="train：选模型用的折，0 表示不留选择折（最终在全部训练折上重训）/ selection fold (default 4; "
                                 "0: none, the final refit on every training fold)")
        parser.add_argument("--epochs", type=int, default=3,
                            help="train：训练轮数（默认 3）/ epochs (default 3)")
        parser.add_argument("--no-refit", action="store_true",
                            help="train：选定参数后不在训练折与选择折上重训 / skip the refit on the training and "
                                 "selection folds")
        parser.add_argument("--search", action="store_true",
                            help="train：同时把微调模型设为检索编码器（之后需 ipoc index encode --reset-vectors）/ "
                                 "also make the tuned model the search encoder")

    def handle(self, *args, **options):
        if options["action"] == "export":
            info = services.encoder_export(max_tokens=options["max_tokens"], layers=options["layers"],
                                           weights=options["weights"], int8=not options["float32"])
            return self.emit(options, info, f"已导出 {info['encoder']}（{info['bytes'] // 1_000_000} MB，"
                                            f"耗时 {info['seconds']}s）→ {info['path']}\n"
                                            "请运行 ipoc index encode --reset-vectors 用新编码器重新编码")
        info = training.encoder_train(options["file"], train_folds=options["train_folds"],
                                      select_fold=options["select_fold"], epochs=options["epochs"],
                                      max_tokens=options["max_tokens"], refit=not options["no_refit"],
                                      search=options["search"])
        measured = (f"第 {options['select_fold']} 折 kNN IPC top-1 {info['select_top1_before']:.3f} → "
                    f"{info['select_top1_after']:.3f}，" if options["select_fold"] else "")
        then = "；请运行 ipoc ipc-model train FILE" + (
            "，并运行 ipoc index encode --reset-vectors 用新检索编码器重新编码" if options["search"] else "")
        self.emit(options, info, f"已微调并导出 {info['encoder']}：{measured}耗时 {info['seconds']}s → {info['path']}"
                                 + then)
