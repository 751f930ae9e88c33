"""The cast of 存量专利盘活: the sample patents of 中科大数据研究院 (a research institute), two
enterprise patents, the institute's filer and reviewers, and a center that serves it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from ipoc.core import services as core_services
from ipoc.core.models import Organization, Role
from ipoc.patents import services as patent_services
from ipoc.revitalization import services
from ipoc.search.testing import search_index  # noqa: F401  (an isolated index with the hashing encoder)

SAMPLE = Path(settings.IPOC_SAMPLE_DATA) / "cn" / "incopat_style_sample.csv"
FIXTURES = Path(__file__).parent / "fixtures"
INSTITUTE = "中科大数据研究院"
PASSWORD = "test-pass-2026"

# (申请号 as an inventor would type it, 公开号, department) — all real rows of the sample
SAMPLE_ROWS = [
    ("ZL202223220665.2", "CN218751475U", "无人机学院"),
    ("202122975192.6", "CN216774847U", "无人机学院"),
    ("CN202121635235.X", "CN217546176U", "无人机学院"),
    ("CN202121635426.6", "CN218824140U", "环境学院"),
    ("CN202121741650.3", "CN216160555U", "环境学院"),
    ("CN202121762003.0", "CN215590999U", "无人机学院"),
    ("CN202121751980.0", "CN215361852U", "无人机学院"),
    ("CN202211740332.4", "CN116245100A", "计算机学院"),
    ("CN202310605823.6", "CN116595400A", "计算机学院"),
    ("CN202211359874.7", "CN115883397A", "计算机学院"),
]

needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample data not present")


@pytest.fixture
def patents(db, orgs, search_index):  # noqa: F811
    """The incoPat-style sample (10 patents of the institute) and two enterprise patents, indexed
    (the import's sync listener) into an isolated search index."""
    batch = patent_services.patent_import(actor=None, path=SAMPLE)
    assert batch.counts()["rejected"] == 0
    patent_services.patent_import(actor=None, path=FIXTURES / "enterprise_patents.csv")
    return batch


@pytest.fixture
def cast(patents, users, orgs):
    institute = Organization.objects.get(name=INSTITUTE)
    assert institute.kind == "research_institute"

    def mk(username):
        return core_services.user_create(actor=None, username=username, password=PASSWORD,
                                         role=Role.INSTITUTION_USER, organization=institute)

    filer, dept, school, other_dept = mk("filer"), mk("dept_rev"), mk("school_rev"), mk("env_rev")
    services.reviewer_appoint(actor=None, institution=institute, user=school, level="school")
    services.reviewer_appoint(actor=school, institution=institute, user=dept, level="department",
                              department="无人机学院")
    services.reviewer_appoint(actor=school, institution=institute, user=other_dept, level="department",
                              department="环境学院")
    request = services.service_link_create(actor=users["center_a"], center=orgs["center_a"], institution=institute)
    services.service_request_decide(actor=filer, request=request, accept=True)  # the institute consents
    return {"institute": institute, "filer": filer, "dept": dept, "school": school, "env": other_dept, **users}


def fill_template(content: bytes, rows: list[list], path: Path) -> Path:
    """Fill the downloaded template: drop the example row, append ``rows``, save as ``path``."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    ws.delete_rows(2, ws.max_row)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def template_rows() -> list[list]:
    return [[number, "", "", dept, "转让，许可" if i % 2 else "自行应用或产业化", "是" if i % 3 == 0 else "否",
             (i % 5) + 1, "张老师", "13800000000", ""] for i, (number, _pub, dept) in enumerate(SAMPLE_ROWS)]
