"""Backup and restore of an embedded instance (备份与恢复): the SQLite database, the search index,
attachments and the secret key, taken while the platform keeps writing.

- The database is copied with SQLite's online backup API: one consistent snapshot, writers go on (WAL).
- Apps register the folders they keep beside the database (``register_backup_part``), each with the lock
  its writers hold — the search index registers its folder and its write lock, so no index commit
  lands while it is copied (readers and the database writers are not stopped). The database snapshot is
  taken while those locks are held, so the index is never *ahead* of the database.
- The index may be *behind* (an import commits to the database and hands its patents to the index when
  it ends): each part's ``after_restore`` hook reconciles — the search index re-indexes the patents
  missing from it or gone from the database, and those changed since the oldest import still running
  at backup time. Afterwards the restored index equals one rebuilt from the restored database.
- ``manifest.json`` lists every file with its SHA-256; restore checks them before touching anything.

PostgreSQL deployments back the database up with PostgreSQL's own tools (``docs/deployment.md``); the
folder parts are copied the same way with ``ipoc backup create --no-database``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ipoc.core.errors import ApplicationError

MANIFEST = "manifest.json"


@dataclass
class BackupPart:
    name: str
    folder: Callable[[], Path]
    lock: Callable[[], contextlib.AbstractContextManager]  # held while the database and the folder are copied
    skip: tuple[str, ...] = ()
    after_restore: Callable[[dict], dict] | None = None  # (manifest) -> what it did


PARTS: dict[str, BackupPart] = {}


def register_backup_part(part: BackupPart) -> None:
    PARTS[part.name] = part


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database_path() -> Path | None:
    if connection.vendor != "sqlite":
        return None
    return Path(str(connection.settings_dict["NAME"]))


def _oldest_running_import() -> str | None:
    from django.apps import apps

    batch = apps.get_model("patents", "ImportBatch")
    first = batch.objects.filter(status="running").order_by("created_at").values_list("created_at", flat=True).first()
    return first.isoformat() if first else None


def backup_create(dest: str | Path, *, database: bool = True) -> dict:
    """Write a backup into the new folder ``dest``; returns its manifest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise ApplicationError(f"备份目录不为空 / not empty: {dest}", field="dest")
    dest.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    manifest: dict = {"created_at": started.isoformat(), "format": 1, "parts": {}, "files": {}}
    with contextlib.ExitStack() as held:
        for part in PARTS.values():
            held.enter_context(part.lock())
        manifest["running_import_since"] = _oldest_running_import()
        db = _database_path() if database else None
        if db is not None:
            source = sqlite3.connect(str(db), timeout=60)
            target = sqlite3.connect(str(dest / "ipoc.sqlite3"))
            try:
                with target:
                    source.backup(target)  # a consistent snapshot; writers continue in WAL mode
            finally:
                target.close()
                source.close()
        for part in PARTS.values():
            folder = part.folder()
            if folder.exists():
                shutil.copytree(folder, dest / part.name, ignore=shutil.ignore_patterns(*part.skip))
            manifest["parts"][part.name] = str(folder)
    for extra, source_path in (("media", Path(settings.MEDIA_ROOT)), ("secret_key", Path(settings.IPOC_HOME) / "secret_key")):
        if source_path.is_dir():
            shutil.copytree(source_path, dest / extra)
        elif source_path.exists():
            shutil.copy2(source_path, dest / extra)
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        manifest["files"][str(path.relative_to(dest))] = _sha256(path)
    manifest["seconds"] = round((timezone.now() - started).total_seconds(), 3)
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def backup_verify(src: str | Path) -> dict:
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ApplicationError(f"不是 IPOC 备份（缺少或无法读取 {MANIFEST}）", field="src") from exc
    for name, digest in manifest["files"].items():
        path = src / name
        if not path.is_file() or _sha256(path) != digest:
            raise ApplicationError(f"备份文件已损坏或缺失：{name}", field="src")
    return manifest


def backup_restore_files(src: str | Path, home: str | Path) -> dict:
    """Check a backup and copy it into the instance folder ``home`` (its database and parts must not
    exist yet). Run ``ipoc migrate`` and ``ipoc backup restore --finish`` in that instance afterwards
    (the command does both)."""
    src, home = Path(src), Path(home)
    manifest = backup_verify(src)
    home.mkdir(parents=True, exist_ok=True)
    if (src / "ipoc.sqlite3").exists():
        if (home / "ipoc.sqlite3").exists():
            raise ApplicationError(f"目标实例已有数据库，不会覆盖：{home / 'ipoc.sqlite3'}", field="home")
        shutil.copy2(src / "ipoc.sqlite3", home / "ipoc.sqlite3")
    for name in manifest["parts"]:
        if (src / name).is_dir():
            target = PARTS[name].folder() if name in PARTS else home / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(src / name, target)
    if (src / "media").is_dir():
        shutil.copytree(src / "media", home / "media", dirs_exist_ok=True)
    if (src / "secret_key").exists():
        shutil.copy2(src / "secret_key", home / "secret_key")
    return manifest


def backup_restore_finish(manifest: dict) -> dict:
    """In the restored instance: jobs left running by the old instance are requeued or marked
    interrupted, and each part reconciles itself with the restored database."""
    from ipoc.core.jobs import jobs_mark_stale_interrupted

    out = {"jobs": jobs_mark_stale_interrupted(older_than_seconds=0)}
    for part in PARTS.values():
        if part.after_restore is not None:
            out[part.name] = part.after_restore(manifest)
    return out


def restored_since(manifest: dict, margin_seconds: int = 900) -> float:
    """Patents changed after this time (epoch seconds) may be missing from a restored index."""
    from datetime import datetime

    times = [datetime.fromisoformat(manifest["created_at"]).timestamp()]
    if manifest.get("running_import_since"):
        times.append(datetime.fromisoformat(manifest["running_import_since"]).timestamp())
    return min(times) - margin_seconds


__all__ = ["BackupPart", "backup_create", "backup_restore_files", "backup_restore_finish", "backup_verify",
           "register_backup_part", "restored_since"]
