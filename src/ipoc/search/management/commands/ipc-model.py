from ipoc.core.management.base import IpocCommand
from ipoc.search import services


class Command(IpocCommand):
    help = ("IPC 推荐模型：train FILE（titles_ipc.csv + 库内带 IPC 的专利，--exclude-fold 留出评测折；"
            "与留出折公开号或标题相同的库内专利不参与训练）"
            " / IPC suggestion model: train FILE --exclude-fold 5 (store patents whose number or title"
            " is in the held-out fold are skipped)")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train"])
        parser.add_argument("file", help="titles_ipc.csv: publication_number,title,ipc_subclasses,fold")
        parser.add_argument("--exclude-fold", type=int, default=5,
                            help="不参与训练的折（评测用）/ fold held out for evaluation (default 5)")

    def handle(self, *args, **options):
        info = services.ipc_model_train(options["file"], exclude_fold=options["exclude_fold"])
        val = info.get("validation_top1")
        val_txt = f"，验证集 top-1 {val:.3f}" if isinstance(val, float) else ""
        self.emit(options, info, f"已训练：{info['rows']} 条（文件 {info['from_file']}，库内 {info['from_store']}，"
                                 f"跳过留出折 {info.get('skipped_excluded_fold', 0)}），{info['classes']} 个小类"
                                 f"{val_txt}，耗时 {info['seconds']}s → {info['path']}")
