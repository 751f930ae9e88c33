from django.urls import path

from ipoc.alliances import views

urlpatterns = [
    path("", views.consortium_list, name="consortium_list"),
    path("new/", views.consortium_create, name="consortium_create"),
    path("<int:pk>/", views.consortium_detail, name="consortium_detail"),
    path("<int:pk>/edit/", views.consortium_edit, name="consortium_edit"),
    path("<int:pk>/members/new/", views.member_add, name="consortium_member_add"),
    path("<int:pk>/agreement/", views.agreement_edit, name="consortium_agreement"),
    path("<int:pk>/agreement/document/", views.agreement_upload, name="consortium_agreement_upload"),
    path("<int:pk>/projects/new/", views.project_create, name="joint_project_create"),
    path("<int:pk>/shared-patents/new/", views.shared_patent_add, name="shared_patent_add"),
    path("<int:pk>/protection/new/", views.protection_create, name="protection_create"),
    path("<int:pk>/sme-services/new/", views.sme_service_create, name="sme_service_create"),
    path("members/<int:pk>/", views.member_record, name="consortium_member_record"),
    path("members/<int:pk>/leave/", views.member_leave, name="consortium_member_leave"),
    path("projects/<int:pk>/", views.project_detail, name="joint_project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="joint_project_edit"),
    path("projects/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("projects/<int:pk>/patents/", views.joint_patent_add, name="joint_patent_add"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("joint-patents/<int:pk>/", views.joint_patent_record, name="joint_patent_record"),
    path("shared-patents/<int:pk>/withdraw/", views.shared_patent_withdraw, name="shared_patent_withdraw"),
    path("protection/<int:pk>/", views.protection_update, name="protection_update"),
    path("sme-services/<int:pk>/", views.sme_service_record, name="sme_service_record"),
]
