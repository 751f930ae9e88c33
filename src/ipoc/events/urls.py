from django.urls import path

from ipoc.events import views

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("<int:pk>/transition/", views.event_transition, name="event_transition"),
    path("<int:pk>/register/", views.event_register, name="event_register"),
    path("<int:pk>/registrations/<int:reg_pk>/attendance/", views.registration_attendance,
         name="event_registration_attendance"),
    path("<int:pk>/outcomes/", views.event_outcome_create, name="event_outcome_create"),
]
