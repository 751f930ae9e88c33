from django.urls import path

from ipoc.centers import views

urlpatterns = [
    path("", views.center_list, name="center_list"),
    path("public/", views.center_public_list, name="center_public_list"),
    path("rules/", views.rule_list, name="center_rules"),
    path("dashboard/", views.center_dashboard, name="center_dashboard"),
    path("new/", views.center_create, name="center_create"),
    path("<int:pk>/", views.center_detail, name="center_detail"),
    path("<int:pk>/edit/", views.center_edit, name="center_edit"),
    path("<int:pk>/transition/", views.center_transition, name="center_transition"),
    path("<int:pk>/evidence/", views.evidence_add, name="center_evidence_add"),
    path("<int:pk>/check/", views.center_check, name="center_check"),
    path("decisions/<int:pk>/correct/", views.decision_correct, name="center_decision_correct"),
]
