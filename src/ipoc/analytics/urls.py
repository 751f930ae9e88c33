from django.urls import path

from ipoc.analytics import views

urlpatterns = [
    path("", views.set_list, name="analytics_set_list"),
    path("new/", views.set_create, name="analytics_set_create"),
    path("chain/", views.chain_map, name="analytics_chain"),
    path("reports/<int:pk>/", views.report_record, name="analytics_report"),
    path("<int:pk>/", views.set_detail, name="analytics_set_detail"),
    path("<int:pk>/patents/", views.set_patents, name="analytics_set_patents"),
    path("<int:pk>/evaluate/", views.set_evaluate, name="analytics_set_evaluate"),
    path("<int:pk>/delete/", views.set_delete, name="analytics_set_delete"),
    path("<int:pk>/matrix/", views.matrix_edit, name="analytics_matrix"),
    path("<int:pk>/report.<str:fmt>", views.set_report, name="analytics_set_report"),
]
