"""Print a one-time enrolment link for a bureau user: how the first office head binds an authenticator app, when
nobody is yet logged in with a second factor to issue one from the page. Audited like the page."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from wuye.accounts.enrolment import enrolment_link_issue
from wuye.accounts.models import User
from wuye.common.errors import DomainError
from wuye.kernel.actors import SystemActor
from wuye.kernel.conf import county_setting


class Command(BaseCommand):
    help = "为专班工作人员签发一次性的动态口令绑定链接（首位办公室负责人用）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户“{options['username']}”不存在")
        try:
            link, raw = enrolment_link_issue(actor=SystemActor("enrolment_link"), user_id=user.pk)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        base = str(county_setting("PUBLIC_BASE_URL")).rstrip("/")
        self.stdout.write(f"{base}{reverse('accounts:enrol_link', args=[raw])}")
        self.stdout.write(f"有效期至 {link.expires_at:%Y-%m-%d %H:%M %Z}，只能使用一次。")
