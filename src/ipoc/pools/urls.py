from django.urls import path, re_path

from ipoc.pools import views

urlpatterns = [
    path("", views.pool_list, name="pool_list"),
    path("new/", views.pool_create, name="pool_create"),
    path("public/", views.public_list, name="pool_public_list"),
    path("public/<int:pk>/", views.public_detail, name="pool_public"),
    path("<int:pk>/", views.pool_detail, name="pool_detail"),
    path("<int:pk>/edit/", views.pool_edit, name="pool_edit"),
    path("<int:pk>/standards/new/", views.standard_add, name="pool_standard_add"),
    path("<int:pk>/licensors/new/", views.licensor_add, name="pool_licensor_add"),
    path("<int:pk>/programmes/new/", views.programme_add, name="pool_programme_add"),
    path("<int:pk>/programmes/<int:programme>/rates/new/", views.rate_card_add, name="pool_rate_card_add"),
    path("<int:pk>/patents/new/", views.patent_submit, name="pool_patent_submit"),
    path("<int:pk>/agreements/new/", views.agreement_add, name="pool_agreement_add"),
    path("<int:pk>/allocation/", views.allocation_page, name="pool_allocation"),
    path("<int:pk>/allocation/<int:licensor>.pdf", views.allocation_download, name="pool_allocation_pdf"),
    path("<int:pk>/conflicts/refresh/", views.conflicts_refresh, name="pool_conflicts_refresh"),
    path("<int:pk>/simulator/", views.simulator, name="pool_simulator"),
    path("conflicts/<int:pk>/resolve/", views.conflict_resolve, name="pool_conflict_resolve"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="pool_agreement_sign"),
    path("agreements/<int:pk>/report/", views.report_upload, name="pool_report_upload"),
    path("reports/<int:pk>/", views.report_detail, name="pool_report"),
    re_path(r"^reports/(?P<pk>[0-9]+)/statement\.(?P<fmt>pdf|xlsx)$", views.statement_download, name="pool_statement_download"),
    path("reports/<int:pk>/<str:action>/", views.report_action, name="pool_report_action"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="pool_evaluation"),
]
