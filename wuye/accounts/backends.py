from django.contrib.auth.backends import BaseBackend

from .models import User


class PhoneCodeBackend(BaseBackend):
    """Owners are logged in by views after `otp_verify`; this backend only reloads them from the session."""

    def authenticate(self, request, **kwargs):  # type: ignore[no-untyped-def]
        return None

    def get_user(self, user_id):  # type: ignore[no-untyped-def]
        return User.objects.filter(pk=user_id, is_active=True).first()
