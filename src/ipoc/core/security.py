"""Sign-in throttling, response security headers, and token revocation when an account changes.

- Sign-in (登录限速): after ``IPOC_LOGIN_MAX_FAILURES_PER_ACCOUNT`` (default 5) failed sign-ins for one account
  from one address, ``IPOC_LOGIN_MAX_FAILURES_PER_ACCOUNT_TOTAL`` (default 50) for one account from all
  addresses, or ``IPOC_LOGIN_MAX_FAILURES_PER_ADDRESS`` (default 20) from one address, within
  ``IPOC_LOGIN_WINDOW_MINUTES`` (default 15), further attempts are refused with a clear message until the window
  has passed — even with the right password — and each refusal and failure is written to the audit log. The
  per-account limit counts one address at a time so that a stranger typing wrong passwords for someone else's
  account locks out the stranger, not the owner signing in from elsewhere; the account-wide bound still stops
  guessing spread over many addresses.
- ``SecurityHeadersMiddleware`` adds a Permissions-Policy (the Content-Security-Policy comes from django-csp).
- A changed password or a deactivated account revokes the user's API tokens.
"""

from __future__ import annotations

import datetime as dt
import os

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), interest-cohort=()")


def _setting(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or, when IPOC_TRUST_PROXY=1, the last X-Forwarded-For hop — the one
    the trusted proxy appended (``$proxy_add_x_forwarded_for``); the hops before it are whatever the client
    sent, and believing the first let a guesser claim a new address with every attempt."""
    if os.environ.get("IPOC_TRUST_PROXY") == "1":
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1][:45]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:45]


def login_blocked(username: str, address: str) -> bool:
    from ipoc.core.models import LoginFailure

    since = timezone.now() - dt.timedelta(minutes=_setting("IPOC_LOGIN_WINDOW_MINUTES", 15))
    recent = LoginFailure.objects.filter(at__gte=since)
    if username:
        for_account = recent.filter(username__iexact=username)
        if for_account.filter(ip_address=address).count() >= _setting("IPOC_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5):
            return True
        if for_account.count() >= _setting("IPOC_LOGIN_MAX_FAILURES_PER_ACCOUNT_TOTAL", 50):
            return True
    return recent.filter(ip_address=address).count() >= _setting("IPOC_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)


def login_failed(username: str, address: str, *, blocked: bool) -> None:
    from ipoc.core.models import AuditAction, LoginFailure, User
    from ipoc.core.services import audit_record

    LoginFailure.objects.create(username=username[:150], ip_address=address)
    user = User.objects.filter(username__iexact=username).first() if username else None
    audit_record(actor=None, action=AuditAction.UPDATE, obj=user,
                 message=(f"登录被限制（失败次数过多）：{username} 来自 {address}" if blocked
                          else f"登录失败：{username} 来自 {address}"))


def login_succeeded(username: str, address: str) -> None:
    from ipoc.core.models import LoginFailure

    LoginFailure.objects.filter(username__iexact=username).delete()


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重试。"),
        "inactive": _("该账号已停用，请联系平台管理员。"),
        "throttled": _("登录失败次数过多，已暂时锁定。请 %(minutes)s 分钟后再试，或联系平台管理员。"),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip()
        address = client_address(self.request) if self.request is not None else "unknown"
        if login_blocked(username, address):
            login_failed(username, address, blocked=True)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled",
                                        params={"minutes": _setting("IPOC_LOGIN_WINDOW_MINUTES", 15)})
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(username, address, blocked=False)
            raise
        login_succeeded(username, address)
        return cleaned


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _remember_account_state(sender, instance, **kwargs):
    if not instance.pk:
        return
    previous = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    instance._ipoc_previous = previous


def _revoke_tokens_on_change(sender, instance, created, **kwargs):
    previous = getattr(instance, "_ipoc_previous", None)
    if created or not previous:
        return
    from ipoc.core.services import api_tokens_revoke_all

    if previous["password"] != instance.password:
        api_tokens_revoke_all(user=instance, reason="密码已修改，令牌自动吊销")
    elif previous["is_active"] and not instance.is_active:
        api_tokens_revoke_all(user=instance, reason="账号已停用，令牌自动吊销")


def connect_signals() -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    pre_save.connect(_remember_account_state, sender=user_model, dispatch_uid="ipoc-account-state")
    post_save.connect(_revoke_tokens_on_change, sender=user_model, dispatch_uid="ipoc-revoke-tokens")
