from django.urls import path

from ipoc.valuation import views

urlpatterns = [
    path("", views.run_list, name="valuation_run_list"),
    path("runs/start/", views.run_start, name="valuation_run_start"),
    path("runs/<int:pk>/", views.run_detail, name="valuation_run_detail"),
    path("runs/<int:pk>/export.xlsx", views.run_export, name="valuation_run_export"),
    path("patents/<str:ref>/", views.patent_report, name="valuation_patent_report"),
    path("patents/<str:ref>/report.pdf", views.patent_report_pdf, name="valuation_patent_report_pdf"),
    path("tree/", views.tree_edit, name="valuation_tree"),
]
