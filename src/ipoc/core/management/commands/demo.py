from ipoc.core.demo import demo_run, demo_steps
from ipoc.core.management.base import IpocCommand


class Command(IpocCommand):
    help = "载入真实样例数据与各角色演示用户（可重复执行）/ Load the real sample data and demo users (idempotent)"

    def add_arguments(self, parser):
        parser.add_argument("--data", help="样例数据目录 / sample data folder (default IPOC_SAMPLE_DATA)")
        parser.add_argument("--only", nargs="*", choices=[s.name for s in demo_steps()],
                            help="只运行这些步骤 / run only these steps")

    def handle(self, *args, **options):
        summary = demo_run(data_dir=options["data"], only=options["only"])
        lines = [f"样例数据 / sample data: {summary['sample_data']}"
                 + ("" if summary["sample_data_found"] else "（未找到 / not found）")]
        for name, result in summary["steps"].items():
            shown = {k: v for k, v in result.items() if k != "credentials"}
            lines.append(f"  {name}: {shown}")
            if "credentials" in result:
                lines.append("演示账号 / demo accounts (用户名 / 密码 / 角色):")
                lines += [f"  {c['username']:<12} {c['password']:<16} {c['role']}" for c in result["credentials"]]
        lines.append("CPU 秒 / CPU seconds: " + ", ".join(f"{k} {v}" for k, v in summary["cpu_seconds"].items()))
        self.emit(options, summary, "\n".join(lines))
