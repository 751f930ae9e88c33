from django.urls import path

from ipoc.revitalization import views

urlpatterns = [
    path("", views.stock_list, name="stock_list"),
    path("template.xlsx", views.stock_template, name="stock_template"),
    path("file/", views.stock_file, name="stock_file"),
    path("import/", views.stock_import, name="stock_import"),
    path("imports/<int:pk>/", views.stock_import_report, name="stock_import_report"),
    path("dashboard/", views.stock_dashboard, name="stock_dashboard"),
    path("<int:pk>/", views.stock_detail, name="stock_detail"),
    path("<int:pk>/edit/", views.stock_edit, name="stock_edit"),
    path("<int:pk>/action/", views.stock_action, name="stock_action"),
    path("services/", views.service_list, name="stock_services"),
    path("services/request/", views.service_request, name="stock_service_request"),
    path("services/<int:pk>/decide/", views.service_decide, name="stock_service_decide"),
    path("pushes/", views.push_list, name="stock_push_list"),
    path("pushes/<int:pk>/action/", views.push_action, name="stock_push_action"),
]
