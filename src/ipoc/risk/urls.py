from django.urls import path

from ipoc.risk import views

urlpatterns = [
    path("", views.check_list, name="risk_check_list"),
    path("new/", views.check_create, name="risk_check_create"),
    path("<int:pk>/", views.check_detail, name="risk_check_detail"),
    path("<int:pk>/edit/", views.check_edit, name="risk_check_edit"),
    path("<int:pk>/run/", views.check_run, name="risk_check_run"),
    path("<int:pk>/add/", views.candidate_add, name="risk_candidate_add"),
    path("<int:pk>/candidates/<int:cid>/", views.chart, name="risk_chart"),
    path("<int:pk>/candidates/<int:cid>/remove/", views.candidate_remove, name="risk_candidate_remove"),
    path("<int:pk>/candidates/<int:cid>/confirm-all/", views.chart_confirm_all, name="risk_chart_confirm_all"),
    path("<int:pk>/candidates/<int:cid>/note/", views.candidate_note, name="risk_candidate_note"),
    path("<int:pk>/elements/<int:eid>/", views.element_confirm, name="risk_element_confirm"),
    path("<int:pk>/publish/", views.report_publish, name="risk_report_publish"),
    path("<int:pk>/report/", views.report, name="risk_report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="risk_report_pdf"),
    path("exposure/", views.exposure, name="risk_exposure"),
    path("exposure/alert/", views.exposure_alert, name="risk_exposure_alert"),
    path("alerts/", views.alert_list, name="risk_alert_list"),
    path("litigation/", views.litigation_list, name="risk_litigation_list"),
    path("litigation/new/", views.litigation_create, name="risk_litigation_create"),
    path("litigation/<int:pk>/", views.litigation_edit, name="risk_litigation_edit"),
    path("supply/", views.review_list, name="risk_review_list"),
    path("supply/new/", views.review_create, name="risk_review_create"),
    path("supply/template.xlsx", views.bom_template, name="risk_bom_template"),
    path("supply/<int:pk>/", views.review_detail, name="risk_review_detail"),
    path("supply/<int:pk>/terms/", views.terms_set, name="risk_terms_set"),
    path("supply/<int:pk>/remediation/", views.remediation_add, name="risk_remediation_add"),
    path("supply/<int:pk>/remediation/<int:aid>/done/", views.remediation_done, name="risk_remediation_done"),
]
