from django.urls import path

from ipoc.patents import views

urlpatterns = [
    path("", views.patent_list, name="patent_list"),
    path("export.<str:fmt>", views.patent_export, name="patent_export"),
    path("imports/new/", views.import_new, name="patent_import"),
    path("imports/<int:pk>/", views.import_report, name="patent_import_report"),
    path("<str:ref>/", views.patent_detail, name="patent_detail"),
]
