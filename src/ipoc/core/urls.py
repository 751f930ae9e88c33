from django.contrib.auth import views as auth_views
from django.urls import path

from ipoc.core import account_views, job_views, views
from ipoc.core.security import ThrottledLoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("audit/", views.audit_list, name="audit_list"),
    path("jobs/", job_views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/cancel/", job_views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/retry/", job_views.job_retry, name="job_retry"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("account/tokens/", account_views.token_list, name="account_tokens"),
    path("account/tokens/<int:pk>/revoke/", account_views.token_revoke, name="account_token_revoke"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:slug>/", views.help_page, name="help_page"),
]
