from ipoc.core import services
from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import User


class Command(IpocCommand):
    help = "创建 API 令牌 / Create an API token: ipoc token create USERNAME [--name N]"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise ApplicationError(f"用户不存在 / no such user: {options['username']}", field="username")
        token, plain = services.api_token_create(actor=None, user=user, name=options["name"])
        self.emit(options, {"username": user.username, "token": plain, "prefix": token.prefix},
                  f"令牌（只显示一次）/ token (shown once):\n{plain}")
