from django.urls import path

from ipoc.search import views

urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.search_export, name="search_export"),
    path("similar/<int:pk>/", views.similar, name="search_similar"),
    path("ipc/", views.ipc_suggest, name="search_ipc"),
]
