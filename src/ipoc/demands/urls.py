from django.urls import path

from ipoc.demands import views

urlpatterns = [
    path("", views.demand_list, name="demand_list"),
    path("new/", views.demand_create, name="demand_create"),
    path("import/", views.demand_import, name="demand_import"),
    path("template.xlsx", views.demand_template, name="demand_template"),
    path("<int:pk>/", views.demand_detail, name="demand_detail"),
    path("<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("<int:pk>/transition/", views.demand_transition, name="demand_transition"),
]
