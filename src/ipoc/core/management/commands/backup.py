from pathlib import Path

from ipoc.core.management.base import IpocCommand


class Command(IpocCommand):
    help = ("备份与恢复：create DEST（运行中也可备份：数据库快照 + 检索索引 + 附件）；restore SRC（恢复到当前 "
            "IPOC_HOME 并与数据库对齐索引）；verify SRC / Backup and restore: create DEST, restore SRC, verify SRC")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "restore", "verify"])
        parser.add_argument("path")
        parser.add_argument("--no-database", action="store_true",
                            help="不备份数据库（PostgreSQL 请用 pg_dump / 基础备份）/ skip the database (PostgreSQL: use its tools)")

    def handle(self, *args, **options):
        from django.conf import settings
        from django.core.management import call_command

        from ipoc.core import backup

        path = Path(options["path"])
        if options["action"] == "create":
            manifest = backup.backup_create(path, database=not options["no_database"])
            return self.emit(options, manifest, f"备份完成 / backup written: {path}（{len(manifest['files'])} 个文件，"
                                                 f"{manifest['seconds']} 秒）")
        if options["action"] == "verify":
            manifest = backup.backup_verify(path)
            return self.emit(options, manifest, f"备份完整 / backup verified: {len(manifest['files'])} 个文件")
        from django.db import connections

        connections.close_all()
        manifest = backup.backup_restore_files(path, Path(settings.IPOC_HOME))
        call_command("migrate", verbosity=0)
        done = backup.backup_restore_finish(manifest)
        self.emit(options, {"restored_from": str(path), "created_at": manifest["created_at"], "after": done},
                  f"已从 {path} 恢复（备份时间 {manifest['created_at']}）/ restored: {done}")
