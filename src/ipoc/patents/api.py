"""/api/v1/patents: list with filters, detail, import (upload) and import reports."""


from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ipoc.core.bounds import BoundedDate, DbId
from ipoc.core.jobs import job_start_background
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.core.uploads import save_upload
from ipoc.patents import selectors, services
from ipoc.patents.schemas import ImportReportRead, ImportStarted, PatentListItem

router = Router(tags=["patents"])


class PatentFilterQuery(Schema):
    q: str = ""
    patent_type: str = ""
    legal_status: str = ""
    ipc: str = ""
    applicant: str = ""
    applicant_type: str = ""
    organization: DbId | None = None
    region: str = ""
    jurisdiction: str = ""
    source: str = ""
    application_date_from: BoundedDate | None = None
    application_date_to: BoundedDate | None = None
    publication_date_from: BoundedDate | None = None
    publication_date_to: BoundedDate | None = None
    grant_date_from: BoundedDate | None = None
    grant_date_to: BoundedDate | None = None


@router.get("", response=list[PatentListItem], summary="专利列表（筛选）")
@paginate(LimitOffsetPagination)
def patent_list(request, filters: Query[PatentFilterQuery]):
    qs = selectors.with_parties(selectors.patent_list(user=request.auth,
                                                      filters=selectors.PatentFilters(**filters.dict())))
    return qs


@router.get("/imports", response=list[ImportReportRead], summary="导入报告列表")
@paginate(LimitOffsetPagination)
def import_list(request):
    return [selectors.import_report(b, limit=100) for b in selectors.import_batch_list(user=request.auth)[:200]]


@router.get("/imports/{batch_id}", response=ImportReportRead, summary="导入报告（计数与每一条被拒绝的行）")
def import_detail(request, batch_id: int):
    return selectors.import_report(selectors.import_batch_get(user=request.auth, pk=batch_id))


@router.post("/imports", response={202: ImportStarted}, summary="上传并导入专利文件（后台任务）")
def import_upload(request, file: File[UploadedFile], format: Form[str] = "auto"):
    from ipoc.core.permissions import require_role

    require_role(request.auth, "center_staff", "office_staff", "institution_user")
    job = services.patent_import_start(actor=request.auth, path=save_upload(file, kind="patents"), format=format,
                                       file_name=file.name)
    job_start_background(job)
    return Status(202, {"job_id": job.pk, "batch_id": job.params["batch_id"], "job_url": f"/api/v1/jobs/{job.pk}"})


@router.get("/{patent_ref}", summary="专利详情（标准化记录，含计算的届满日、剩余保护期与有效性）")
def patent_detail(request, patent_ref: str, on: BoundedDate | None = None):
    patent = selectors.patent_get(user=request.auth, key_or_number=patent_ref)
    return selectors.patent_detail_dict(patent, on_date=on)
