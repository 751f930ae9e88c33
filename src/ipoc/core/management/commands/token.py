import datetime as dt

from django.utils import timezone

from ipoc.core import services
from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import ApiToken, User


class Command(IpocCommand):
    help = ("API 令牌 / API tokens: ipoc token create USERNAME [--name N] [--days D] | "
            "list [USERNAME] | revoke TOKEN_ID")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("target", nargs="?", default="", help="用户名（create/list）或令牌ID（revoke）")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--days", type=int, default=0, help="有效天数（0 = 不过期）/ days until expiry")

    def handle(self, *args, **options):
        action, target = options["action"], options["target"]
        if action == "list":
            qs = ApiToken.objects.select_related("user").order_by("-created_at")
            if target:
                qs = qs.filter(user__username=target)
            rows = [{"id": t.id, "username": t.user.username, "name": t.name, "prefix": t.prefix,
                     "created_at": t.created_at.isoformat(), "expires_at": t.expires_at and t.expires_at.isoformat(),
                     "last_used_at": t.last_used_at and t.last_used_at.isoformat(), "revoked": t.revoked}
                    for t in qs]
            self.emit(options, rows, "\n".join(
                f"{r['id']:>5}  {r['username']:<14} {r['name']:<16} {r['prefix']}…  "
                f"{'已吊销 revoked' if r['revoked'] else '有效 active'}  {r['expires_at'] or '不过期'}" for r in rows)
                or "没有令牌 / no tokens")
            return
        if action == "revoke":
            token = ApiToken.objects.filter(pk=int(target) if target.isdigit() else 0).select_related("user").first()
            if token is None:
                raise ApplicationError(f"令牌不存在 / no such token: {target}", field="target")
            services.api_token_revoke(actor=None, token=token, reason="ipoc token revoke（命令行）")
            self.emit(options, {"id": token.id, "revoked": True}, f"已吊销 / revoked: {token.id}")
            return
        user = User.objects.filter(username=target).first()
        if user is None:
            raise ApplicationError(f"用户不存在 / no such user: {target}", field="username")
        expires = timezone.now() + dt.timedelta(days=options["days"]) if options["days"] > 0 else None
        token, plain = services.api_token_create(actor=None, user=user, name=options["name"], expires_at=expires)
        self.emit(options, {"username": user.username, "token": plain, "prefix": token.prefix, "id": token.id,
                            "expires_at": expires and expires.isoformat()},
                  f"令牌（只显示一次）/ token (shown once):\n{plain}")
