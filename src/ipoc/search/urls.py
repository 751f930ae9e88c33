from django.urls import path

from ipoc.search import views

urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.search_export, name="search_export"),
]
