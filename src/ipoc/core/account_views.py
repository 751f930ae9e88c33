"""The signed-in user's own account pages: API tokens (list, create with optional expiry, revoke)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipoc.core import selectors, services
from ipoc.core.errors import ApplicationError
from ipoc.core.ui import handle_application_error


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("令牌名称"), max_length=100,
                           help_text=gettext_lazy("用途，例如“数据同步脚本”"))
    days = forms.TypedChoiceField(label=gettext_lazy("有效期"), coerce=int, initial=90, choices=[
        (30, gettext_lazy("30 天")), (90, gettext_lazy("90 天")), (365, gettext_lazy("1 年")),
        (0, gettext_lazy("不过期（不建议）"))])


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        try:
            token, plain = services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None)
            created = plain
            messages.success(request, _("令牌已创建。明文只显示这一次，请立即复制保存。"))
            form = TokenForm()
        except ApplicationError as exc:
            handle_application_error(form, exc)
    tokens = selectors.api_token_list(user=request.user).filter(user=request.user)
    return render(request, "account/tokens.html", {"form": form, "tokens": tokens, "created": created,
                                                   "now": timezone.now()})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = selectors.api_token_get(user=request.user, pk=pk)
    services.api_token_revoke(actor=request.user, token=token, reason="用户在“API 令牌”页面吊销")
    messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("account_tokens")
