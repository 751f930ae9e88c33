"""Backup under load and its restore (docs/deployment.md): an embedded instance keeps importing patents
(each import commits to SQLite and indexes its patents) while ``ipoc backup create`` runs; the backup
restored into a new instance holds exactly the imports committed before its snapshot — whole, nothing
half-written — and its search index equals the restored database (same patents, same indexed text).

Real processes on a real SQLite file (the in-memory test database cannot be backed up from another
process); everything small, no sleeps: the writer and the test signal each other through files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

FILES = 6
ROWS = 150

WRITER = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    import django
    django.setup()
    from ipoc.patents.services import patent_import
    folder = Path(sys.argv[1])
    for i in range({files}):
        path = folder / f"part{{i}}.jsonl"
        with path.open("w") as fh:
            for n in range({rows}):
                fh.write(json.dumps({{"id": f"f{{i}}-{{n}}", "title": f"一种储能电池 批{{i}} 号{{n}}",
                                     "abstract": "用于测试备份的派生记录"}}, ensure_ascii=False) + "\\n")
        patent_import(actor=None, path=path)
        (folder / f"done{{i}}").touch()
""")

CHECK = textwrap.dedent("""
    import json, sqlite3, sys
    import django
    django.setup()
    from django.conf import settings
    from ipoc.patents.models import Patent
    from ipoc.search import services
    db = sqlite3.connect(str(settings.IPOC_HOME / "ipoc.sqlite3"))
    integrity = db.execute("pragma integrity_check").fetchone()[0]
    eng = services.engine()
    eng.refresh()
    ids = sorted(Patent.objects.values_list("pk", flat=True))
    indexed = sorted(int(i) for i in eng.lexical.all_ids().tolist())
    titles = dict(Patent.objects.values_list("pk", "title"))
    sources = eng.lexical.sources(ids)
    same_text = all(sources.get(i, {}).get("title") == titles[i] for i in ids)
    keys = sorted(Patent.objects.values_list("key", flat=True))
    print(json.dumps({"integrity": integrity, "ids": len(ids), "indexed_equal": ids == indexed,
                      "same_text": same_text, "keys": keys}))
""")


def _ipoc(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "IPOC_HOME": str(home), "DJANGO_SETTINGS_MODULE": "ipoc.settings"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "ipoc.cli", *args], env=env, check=check, capture_output=True,
                          text=True, timeout=600)


def _python(home: Path, code: str, *args: str, **kw) -> subprocess.Popen | subprocess.CompletedProcess:
    env = {**os.environ, "IPOC_HOME": str(home), "DJANGO_SETTINGS_MODULE": "ipoc.settings",
           "IPOC_SEARCH_WORKERS": "1"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          timeout=600, check=True)


def test_a_backup_taken_while_importing_restores_to_an_identical_database_and_index(tmp_path):
    source, restored, backup, work = (tmp_path / n for n in ("source", "restored", "backup", "work"))
    work.mkdir()
    _ipoc(source, "migrate", "--verbosity", "0")
    env = {**os.environ, "IPOC_HOME": str(source), "DJANGO_SETTINGS_MODULE": "ipoc.settings",
           "IPOC_SEARCH_WORKERS": "1"}
    env.pop("DATABASE_URL", None)
    writer = subprocess.Popen([sys.executable, "-c", WRITER.format(files=FILES, rows=ROWS), str(work)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        while not (work / "done1").exists():  # two imports committed; the third is being written
            assert writer.poll() is None, writer.stdout.read()
            time.sleep(0.05)  # polling a file the writer makes, not a timed assertion
        made = _ipoc(source, "backup", "create", str(backup), "--json")
        writer.wait(timeout=600)
        assert writer.returncode == 0, writer.stdout.read()
    finally:
        (work / "stop").touch()
        if writer.poll() is None:
            writer.kill()
    manifest = json.loads(made.stdout)
    assert "ipoc.sqlite3" in manifest["files"]
    assert _ipoc(source, "backup", "verify", str(backup)).returncode == 0

    _ipoc(restored, "backup", "restore", str(backup))
    after = json.loads(_python(restored, CHECK).stdout.strip().splitlines()[-1])
    assert after["integrity"] == "ok"
    # whole imports only: the restored store is exactly the first k files, 2 <= k <= FILES
    k = after["ids"] // ROWS
    assert after["ids"] == k * ROWS and 2 <= k <= FILES
    assert after["keys"] == sorted(f"ext:part{i}:f{i}-{n}" for i in range(k) for n in range(ROWS))
    # and its index is the restored database's: the same patents, the same indexed text
    assert after["indexed_equal"] and after["same_text"]
    # the source went on writing meanwhile and is complete
    full = json.loads(_python(source, CHECK).stdout.strip().splitlines()[-1])
    assert full["ids"] == FILES * ROWS and full["indexed_equal"]


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path):
    from ipoc.core import backup as backups
    from ipoc.core.errors import ApplicationError

    folder, home = tmp_path / "backup", tmp_path / "restored"
    folder.mkdir()
    (folder / "ipoc.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x01" * 100)
    digest = backups._sha256(folder / "ipoc.sqlite3")
    (folder / "manifest.json").write_text(json.dumps({"created_at": "2026-12-06T12:00:00+00:00", "parts": {},
                                                      "files": {"ipoc.sqlite3": digest}}))
    with (folder / "ipoc.sqlite3").open("r+b") as fh:
        fh.seek(40)
        fh.write(b"damage")
    with pytest.raises(ApplicationError, match="损坏"):
        backups.backup_restore_files(folder, home)
    assert not (home / "ipoc.sqlite3").exists()
    with pytest.raises(ApplicationError, match="不是 IPOC 备份"):
        backups.backup_verify(tmp_path)


pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="uses fcntl locks and /proc")
