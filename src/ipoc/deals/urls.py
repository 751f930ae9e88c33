from django.urls import path

from ipoc.deals import views

urlpatterns = [
    path("", views.deal_list, name="deal_list"),
    path("new/", views.deal_create, name="deal_create"),
    path("statistics/", views.deal_statistics, name="deal_statistics"),
    path("statistics/records/", views.deal_statistics_records, name="deal_statistics_records"),
    path("<int:pk>/", views.deal_detail, name="deal_detail"),
    path("<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("<int:pk>/transition/", views.deal_transition, name="deal_transition"),
    path("<int:pk>/attachments/", views.deal_attach, name="deal_attach"),
]
