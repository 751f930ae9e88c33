from django.urls import path

from ipoc.licensing import views

urlpatterns = [
    path("", views.home, name="licensing_home"),
    path("public/", views.public_list, name="licensing_public_list"),
    path("public/<int:pk>/", views.public_detail, name="licensing_public_detail"),
    path("check/", views.check, name="licensing_check"),
    path("declarations/", views.declaration_list, name="licensing_declaration_list"),
    path("declarations/new/", views.declaration_create, name="licensing_declaration_create"),
    path("declarations/<int:pk>/", views.declaration_detail, name="licensing_declaration_detail"),
    path("declarations/<int:pk>/edit/", views.declaration_edit, name="licensing_declaration_edit"),
    path("declarations/<int:pk>/action/", views.declaration_action, name="licensing_declaration_action"),
    path("declarations/<int:pk>/notice/", views.licence_notice, name="licensing_licence_notice"),
    path("licences/", views.licence_list, name="licensing_licence_list"),
    path("licences/<int:pk>/", views.licence_detail, name="licensing_licence_detail"),
    path("licences/<int:pk>/action/", views.licence_action, name="licensing_licence_action"),
    path("royalties/", views.royalties, name="licensing_royalties"),
    path("pledges/", views.pledge_list, name="licensing_pledge_list"),
    path("pledges/new/", views.pledge_create, name="licensing_pledge_create"),
    path("pledges/<int:pk>/", views.pledge_detail, name="licensing_pledge_detail"),
    path("pledges/<int:pk>/action/", views.pledge_action, name="licensing_pledge_action"),
    path("encumbrances/new/", views.encumbrance_create, name="licensing_encumbrance_create"),
    path("encumbrances/<int:pk>/release/", views.encumbrance_release, name="licensing_encumbrance_release"),
    path("rules/", views.rules_page, name="licensing_rules"),
]
