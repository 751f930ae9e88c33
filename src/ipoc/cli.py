"""The ``ipoc`` console command: Django management under one name, with help in Chinese and English.

Every command honours ``IPOC_HOME`` and ``DATABASE_URL`` (see ``ipoc.conf``); every
command that reports something takes ``--json``. Writes made through the CLI are
audited with the channel ``cli``.
"""

from __future__ import annotations

import os
import sys

# Django's own commands that an operator needs, with bilingual descriptions.
DJANGO_COMMANDS = {
    "migrate": "创建或升级数据库结构 / Create or upgrade the database schema",
    "check": "检查配置 / Check the configuration",
    "shell": "Python 交互环境 / Python shell with the platform loaded",
    "dbshell": "数据库命令行 / Database shell",
    "collectstatic": "收集静态文件（生产部署）/ Collect static files for deployment",
    "changepassword": "修改用户密码 / Change a user's password",
}


def _ipoc_commands() -> dict[str, str]:
    from django.core.management import get_commands, load_command_class

    out = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith("ipoc."):
            out[name] = load_command_class(app, name).help
    return out


def print_help() -> None:
    import django

    django.setup()
    from ipoc import __version__

    lines = [
        f"IPOC {__version__} — 产业知识产权运营中心平台 / industrial IP operation center platform",
        "",
        "用法 / usage:  ipoc <命令/command> [选项/options]     ipoc <命令> --help  查看命令说明 / command help",
        "",
        "平台命令 / platform commands:",
    ]
    commands = _ipoc_commands()
    width = max(len(n) for n in [*commands, *DJANGO_COMMANDS]) + 2
    lines += [f"  {name.ljust(width)}{text}" for name, text in commands.items()]
    lines += ["", "Django 命令 / Django commands:"]
    lines += [f"  {name.ljust(width)}{text}" for name, text in DJANGO_COMMANDS.items()]
    lines += [
        "",
        "环境变量 / environment:",
        "  IPOC_HOME         实例数据目录（默认 ./var）/ instance folder (default ./var)",
        "  DATABASE_URL      使用 PostgreSQL 等外部数据库 / use PostgreSQL instead of embedded SQLite",
        "  IPOC_SAMPLE_DATA  真实样例数据目录（默认 ../shared/data）/ real sample data folder",
    ]
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
    if argv[:1] == ["serve"]:
        from ipoc.conf import limit_blas_threads_for_serving

        limit_blas_threads_for_serving()
    if not argv or argv in (["-h"], ["--help"], ["help"]):
        print_help()
        return 0
    if argv == ["--version"]:
        from ipoc import __version__

        print(__version__)
        return 0
    from django.core.management import execute_from_command_line

    from ipoc.core.context import channel

    with channel("cli"):
        execute_from_command_line(["ipoc", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
