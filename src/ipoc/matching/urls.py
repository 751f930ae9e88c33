from django.urls import path

from ipoc.matching import views

urlpatterns = [
    path("", views.match_home, name="match_home"),
    path("demands/<int:pk>/", views.demand_matches, name="match_demand"),
    path("demands/<int:pk>/chain-tags/", views.demand_chain_tag, name="match_chain_tag"),
    path("demands/<int:pk>/query/", views.match_query, name="match_query"),
    path("matches/<int:pk>/decision/", views.match_decide, name="match_decide"),
    path("chain/", views.chain_map, name="match_chain"),
    path("listings/", views.listings, name="match_listings"),
    path("runs/", views.batch_start, name="match_batch"),
    path("runs/<int:pk>/", views.run_detail, name="match_run"),
]
