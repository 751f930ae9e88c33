"""The ``ipoc`` command line."""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from ipoc.core.models import AuditEntry, Organization, User


def test_help_lists_commands_in_chinese_and_english(tmp_path):
    env = {"IPOC_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "ipoc.cli", "--help"], capture_output=True, text=True, env=env,
                         check=True).stdout
    for name in ("serve", "migrate", "createadmin", "demo", "token"):
        assert f"  {name}" in out
    assert "启动平台 Web 服务 / Run the web platform" in out
    assert "IPOC_HOME" in out and "DATABASE_URL" in out


def _write_sample(tmp_path):
    cn = tmp_path / "cn"
    cn.mkdir()
    rows = [{"id": "a1", "title": "一种电池", "applicant": "宁德时代新能源科技股份有限公司", "abstract": "…"},
            {"id": "a2", "title": "一种基站", "applicant": "华为技术有限公司", "abstract": "…"},
            {"id": "a3", "title": "一种材料", "applicant": "浙江大学", "abstract": "…"}]
    (cn / "patents_bdci.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    return tmp_path


@pytest.mark.django_db
def test_demo_is_idempotent_and_prints_credentials(tmp_path, capsys):
    data = _write_sample(tmp_path)
    call_command("demo", "--data", str(data), "--json", "--only", "organizations", "users")
    first = json.loads(capsys.readouterr().out)
    counts = (Organization.objects.count(), User.objects.count())
    call_command("demo", "--data", str(data), "--json", "--only", "organizations", "users")
    second = json.loads(capsys.readouterr().out)
    assert (Organization.objects.count(), User.objects.count()) == counts
    assert Organization.objects.get(name="宁德时代新能源科技股份有限公司").kind == "enterprise"
    assert Organization.objects.get(name="浙江大学").kind == "university"
    roles = {c["role"] for c in first["steps"]["users"]["credentials"]}
    assert roles == {"平台管理员", "管理部门工作人员", "运营中心工作人员", "企业用户", "高校/院所用户", "评审专家"}
    assert second["steps"]["users"]["users_created"] == []
    user = User.objects.get(username="enterprise")
    assert user.check_password(first["steps"]["users"]["credentials"][0]["password"])


@pytest.mark.django_db
def test_createadmin_and_token(capsys):
    call_command("createadmin", "boss", "--password", "long-enough-1", "--json")
    assert json.loads(capsys.readouterr().out)["role"] == "platform_admin"
    assert AuditEntry.objects.filter(object_repr="boss", action="create").exists()
    call_command("token", "create", "boss", "--json")
    token = json.loads(capsys.readouterr().out)["token"]
    from ipoc.core.services import api_token_authenticate

    assert api_token_authenticate(token).username == "boss"


@pytest.mark.django_db
def test_cli_errors_are_one_clean_line():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("token", "create", "nobody")
    assert "no such user" in str(exc.value) and "[username]" in str(exc.value)


def test_ipoc_home_separates_instances(tmp_path):
    """Two IPOC_HOME folders are two independent instances (own SQLite database each)."""
    env_base = {"PATH": "/usr/bin:/bin", "IPOC_SAMPLE_DATA": str(tmp_path / "none")}
    for name in ("one", "two"):
        env = {**env_base, "IPOC_HOME": str(tmp_path / name)}
        subprocess.run([sys.executable, "-m", "ipoc.cli", "migrate", "-v0"], env=env, check=True)
    env = {**env_base, "IPOC_HOME": str(tmp_path / "one")}
    subprocess.run([sys.executable, "-m", "ipoc.cli", "createadmin", "solo", "--password", "long-enough-1"],
                   env=env, check=True, capture_output=True)
    assert (tmp_path / "one" / "ipoc.sqlite3").exists() and (tmp_path / "two" / "ipoc.sqlite3").exists()
    import sqlite3

    def admins(name):
        with sqlite3.connect(tmp_path / name / "ipoc.sqlite3") as db:
            return db.execute("select count(*) from core_user").fetchone()[0]

    assert (admins("one"), admins("two")) == (1, 0)


def test_serving_processes_use_one_blas_thread_unless_the_operator_chose(monkeypatch):
    from ipoc.conf import SERVING_THREAD_VARS, limit_blas_threads_for_serving

    for var in SERVING_THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    limit_blas_threads_for_serving()
    import os

    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "4"
