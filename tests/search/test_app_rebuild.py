"""A killed index rebuild resumes from its checkpoint and ends with every patent indexed exactly once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from ipoc.core.models import Job, JobStatus
from ipoc.search import services, testing

search_index = testing.search_index  # the isolated-index fixture


def _jsonl(path, n):
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"r{i}", "title": f"一种重建测试装置{i}", "abstract": "用于测试索引续建。",
                                 "applicants": [f"重建公司{i % 7}有限公司"], "ipc_all": ["G06F16/30"]},
                                ensure_ascii=False) + "\n")


def _cli(env, *args):
    return subprocess.Popen([sys.executable, "-m", "ipoc.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_killed_rebuild_resumes_from_its_checkpoint(tmp_path):
    data = tmp_path / "derived.jsonl"
    _jsonl(data, 1200)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "IPOC_SEARCH_DIR")} | {
        "IPOC_HOME": str(tmp_path / "home"), "IPOC_ENCODER": "hashing:64", "IPOC_SAMPLE_DATA": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "ipoc.cli", "migrate", "-v0"], env=env, check=True)
    # "large" import: its end-of-import sync runs in a separate process, with workers reading the store
    imported = _cli(env | {"IPOC_SEARCH_BULK_MIN": "100", "IPOC_SEARCH_WORKERS": "2"}, "import", str(data), "--json")
    assert imported.wait(180) == 0, imported.stderr.read()
    status = _cli(env, "index", "status", "--json")
    out, err = status.communicate(timeout=60)
    assert json.loads(out)["indexed"] == 1200 and json.loads(out)["pending_sync"] == 0, err

    db_path = tmp_path / "home" / "ipoc.sqlite3"
    proc = _cli(env, "index", "rebuild", "--chunk", "20", "--json")
    deadline, last_id = time.time() + 90, 0
    while time.time() < deadline and proc.poll() is None:
        with sqlite3.connect(db_path) as db:
            row = db.execute("select checkpoint from core_job where kind='search.rebuild'").fetchone()
        last_id = json.loads(row[0]).get("last_id", 0) if row else 0
        if last_id >= 200:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the rebuild finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with sqlite3.connect(db_path) as db:
        job_id, checkpoint = db.execute("select id, checkpoint from core_job where kind='search.rebuild'").fetchone()
    killed_at = json.loads(checkpoint)["last_id"]
    assert 0 < killed_at < 1200

    status = _cli(env, "index", "status", "--json")
    out, err = status.communicate(timeout=60)
    assert 0 < json.loads(out)["indexed"] < 1200, err  # really interrupted midway (the rebuild cleared it first)

    # resumed by the bulk path: two worker processes, each reading its patents from the database
    resumed = _cli(env | {"IPOC_SEARCH_BULK_MIN": "1", "IPOC_SEARCH_WORKERS": "2"},
                   "index", "rebuild", "--resume", str(job_id), "--json")
    out, err = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, err
    report = json.loads(out)
    assert report["status"] == "succeeded"
    assert report["workers"] == 2 and report["workers_read_the_store"] is True
    assert report["resumed_after_id"] >= killed_at  # continued, did not start over
    assert report["indexed"] == 1200 and report["in_index"] == 1200

    # every patent exactly once, and it is found
    search = _cli(env, "search", "重建测试装置1199", "--limit", "1", "--json")
    out, err = search.communicate(timeout=60)
    assert search.returncode == 0, err
    assert json.loads(out)["hits"][0]["title"] == "一种重建测试装置1199"


@pytest.mark.django_db
def test_fresh_rebuild_clears_entries_of_vanished_patents(tmp_path, search_index):
    with search_index.writing() as eng:  # an entry whose patent is not in the store
        eng.upsert([{"id": 999999, "title": "孤儿条目"}])
    assert search_index.lexical.num_docs == 1
    job = services.index_rebuild(chunk=10)
    assert job.status == JobStatus.SUCCEEDED and job.result["in_index"] == 0
    assert Job.objects.get(pk=job.pk).checkpoint["last_id"] == 0
