from django.urls import path

from ipoc.matching import views

urlpatterns = [
    path("", views.match_home, name="match_home"),
    path("demands/<int:pk>/", views.demand_matches, name="match_demand"),
    path("matches/<int:pk>/decision/", views.match_decide, name="match_decide"),
    path("runs/", views.batch_start, name="match_batch"),
    path("runs/<int:pk>/", views.run_detail, name="match_run"),
]
