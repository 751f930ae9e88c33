import getpass
import os

from ipoc.core import services
from ipoc.core.errors import ApplicationError
from ipoc.core.management.base import IpocCommand
from ipoc.core.models import Role


class Command(IpocCommand):
    help = "创建平台管理员 / Create a platform administrator"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="默认读取 IPOC_ADMIN_PASSWORD 或交互输入 / or IPOC_ADMIN_PASSWORD, or prompt")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("IPOC_ADMIN_PASSWORD") or getpass.getpass("密码 / password: ")
        if len(password) < 8:
            raise ApplicationError("密码至少 8 位 / password must have at least 8 characters", field="password")
        user = services.user_create(actor=None, username=options["username"], password=password,
                                    role=Role.PLATFORM_ADMIN, email=options["email"], is_superuser=True)
        self.emit(options, {"id": user.pk, "username": user.username, "role": user.role},
                  f"已创建平台管理员 / created administrator: {user.username}")
