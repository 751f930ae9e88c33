"""``ipoc demo``: load the real sample data (``IPOC_SAMPLE_DATA``) and one demo user per role.

Steps run in order and are idempotent: running the demo twice leaves the same
records. Domain apps add their steps (patents, demands, …) with ``register_demo_step``.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from ipoc.core import services
from ipoc.core.models import OfficeLevel, Organization, OrganizationKind, Role, User

DEMO_PASSWORD_ENV = "IPOC_DEMO_PASSWORD"
# 数据来源 of the organisations the demo creates (shown on organisation pages, so in words).
DEMO_SOURCE = "演示数据"
SAMPLE_APPLICANTS_SOURCE = "样例数据（专利申请人）"
DEFAULT_DEMO_PASSWORD = "ipoc-demo-2026"


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[Path], dict]  # sample data folder → summary
    order: int


DEMO_STEPS: list[DemoStep] = []


def register_demo_step(name: str, run: Callable[[Path], dict], order: int) -> None:
    if all(s.name != name for s in DEMO_STEPS):
        DEMO_STEPS.append(DemoStep(name, run, order))
        DEMO_STEPS.sort(key=lambda s: s.order)


def demo_steps() -> list[DemoStep]:
    """Every step, in order: each installed app's ``demo`` module registers its own steps when imported."""
    autodiscover_modules("demo")
    return DEMO_STEPS


def demo_password() -> str:
    """The demo accounts' password. The default is published (the help pages print it), so under the production
    profile the demo creates no account unless ``IPOC_DEMO_PASSWORD`` sets another one."""
    password = os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)
    if getattr(settings, "IPOC_PRODUCTION", False) and password in ("", DEFAULT_DEMO_PASSWORD):
        from ipoc.core.errors import ApplicationError

        raise ApplicationError(
            f"生产环境（IPOC_PRODUCTION=1）不能用公开的默认密码建立演示账号：请用环境变量 {DEMO_PASSWORD_ENV} "
            "设置一个只有本单位知道的强密码，或不要在生产环境载入演示数据 / the demo accounts need "
            f"{DEMO_PASSWORD_ENV} under IPOC_PRODUCTION=1", field=DEMO_PASSWORD_ENV)
    return password


# The fixed cast of the demo: real offices and institutions; the center is marked 演示.
DEMO_ORGANIZATIONS = [
    dict(name="国家知识产权局", kind=OrganizationKind.IP_OFFICE, office_level=OfficeLevel.NATIONAL, region_code="110108"),
    dict(name="江苏省知识产权局", kind=OrganizationKind.IP_OFFICE, office_level=OfficeLevel.PROVINCIAL,
         region_code="320000"),
    dict(name="浙江省知识产权局", kind=OrganizationKind.IP_OFFICE, office_level=OfficeLevel.PROVINCIAL,
         region_code="330000"),
    dict(name="广东省知识产权局", kind=OrganizationKind.IP_OFFICE, office_level=OfficeLevel.PROVINCIAL,
         region_code="440000"),
    dict(name="新一代信息技术产业知识产权运营中心（演示）", kind=OrganizationKind.OPERATION_CENTER, region_code="320500"),
]

DEMO_USERS = [
    # username, role, organization name (None: none), display name
    ("admin", Role.PLATFORM_ADMIN, None, "平台管理员"),
    ("office", Role.OFFICE_STAFF, "国家知识产权局", "国家局工作人员"),
    ("office_js", Role.OFFICE_STAFF, "江苏省知识产权局", "省局工作人员"),
    ("center", Role.CENTER_STAFF, "新一代信息技术产业知识产权运营中心（演示）", "运营中心工作人员"),
    ("enterprise", Role.ENTERPRISE_USER, "华为技术有限公司", "企业用户"),
    ("university", Role.INSTITUTION_USER, "浙江大学", "高校用户"),
    ("expert", Role.EXPERT, None, "评审专家"),
]

# The rest of the cast: the second expert every recognition needs (two valid scoring sheets), the offices that
# recommend national centers in Zhejiang and Guangdong, and the staff of a research institute and of a Jiangsu
# university (存量盘活 in the Jiangsu office's area). They sign in
# with the same password; the centers' own staff are added by the centers step.
DEMO_SUPPORT_USERS = [
    ("expert2", Role.EXPERT, None, "评审专家（二）"),
    ("office_zj", Role.OFFICE_STAFF, "浙江省知识产权局", "浙江省局工作人员"),
    ("office_gd", Role.OFFICE_STAFF, "广东省知识产权局", "广东省局工作人员"),
    ("institute", Role.INSTITUTION_USER, "中科大数据研究院", "研究院成果转化专员"),
    ("seu", Role.INSTITUTION_USER, "东南大学", "东南大学成果转化专员"),
]

# Where the sample applicants the demo works with are (their records carry no address): the offices of those
# provinces see their stock patents, demands and deals.
DEMO_ORGANIZATION_REGIONS = {"浙江大学": "330106", "东南大学": "320102", "华为技术有限公司": "440307"}


def demo_user(username: str) -> User | None:
    """A demo user by name (None when the users step has not run)."""
    return User.objects.filter(username=username).first()


def demo_organization(name: str) -> Organization | None:
    return Organization.objects.filter(name=name).first()


def ensure_user(username: str, role: str, organization: Organization | None, display_name: str) -> User:
    """The demo user, created through the service with the demo password when missing."""
    user = demo_user(username)
    if user is None:
        user = services.user_create(actor=None, username=username, password=demo_password(), role=role,
                                    organization=organization, display_name=display_name,
                                    is_superuser=(role == Role.PLATFORM_ADMIN))
    return user


def sample_applicant_names(data_dir: Path) -> list[str]:
    """Applicant names in the real CN samples (BDCI jsonl and the incoPat-style CSV)."""
    names: list[str] = []
    bdci = data_dir / "cn" / "patents_bdci.jsonl"
    if bdci.exists():
        with bdci.open(encoding="utf-8") as fh:
            names += [json.loads(line).get("applicant", "") for line in fh if line.strip()]
    incopat = data_dir / "cn" / "incopat_style_sample.csv"
    if incopat.exists():
        with incopat.open(encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                names += [n.strip() for n in row.get("申请人", "").replace("；", ";").split(";")]
    return [n for n in names if len(n) >= 4]  # 2–3 character names are people, not organisations


def demo_organizations(data_dir: Path) -> dict:
    created = 0
    for spec in DEMO_ORGANIZATIONS:
        if not Organization.objects.filter(name=spec["name"]).exists():
            services.organization_create(actor=None, source=DEMO_SOURCE, **spec)
            created += 1
    before = Organization.objects.count()
    services.organizations_ensure(actor=None, names=sample_applicant_names(data_dir), source=SAMPLE_APPLICANTS_SOURCE)
    for org in Organization.objects.filter(name__in=list(DEMO_ORGANIZATION_REGIONS), region_code=""):
        services.organization_update(actor=None, organization=org,
                                     data={"region_code": DEMO_ORGANIZATION_REGIONS[org.name]})
    # A well-known SME flag for the demo enterprise would be false; sample applicants keep is_sme unknown.
    return {"organizations_created": created + Organization.objects.count() - before,
            "organizations_total": Organization.objects.count()}


def demo_users(data_dir: Path) -> dict:
    password = demo_password()
    created = []
    with transaction.atomic():
        for username, role, org_name, display in DEMO_USERS + DEMO_SUPPORT_USERS:
            if User.objects.filter(username=username).exists():
                continue
            org = None
            if org_name:
                org = Organization.objects.filter(name=org_name).first()
                if org is None:  # sample data absent: the organisation is still needed for the role
                    org = services.organization_create(actor=None, name=org_name,
                                                       kind=services.organization_kind_from_name(org_name),
                                                       region_code=DEMO_ORGANIZATION_REGIONS.get(org_name, ""),
                                                       source=DEMO_SOURCE)
            ensure_user(username, role, org, display)
            created.append(username)
    return {"users_created": created,
            "credentials": [{"username": u, "password": password, "role": str(r.label)} for u, r, _o, _d in DEMO_USERS]}


register_demo_step("organizations", demo_organizations, order=10)
register_demo_step("users", demo_users, order=20)


def demo_run(*, data_dir: Path | None = None, only: list[str] | None = None) -> dict:
    data_dir = Path(data_dir or settings.IPOC_SAMPLE_DATA)
    summary: dict = {"sample_data": str(data_dir), "sample_data_found": data_dir.exists(), "steps": {},
                     "cpu_seconds": {}}
    for step in demo_steps():
        if only and step.name not in only:
            continue
        started = time.process_time()
        summary["steps"][step.name] = step.run(data_dir)
        summary["cpu_seconds"][step.name] = round(time.process_time() - started, 2)
    return summary
