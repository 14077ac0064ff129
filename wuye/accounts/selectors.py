"""Reads of accounts for the login pages."""

from .models import User


def user_pending_login(pk: object) -> User | None:
    """The active user a half-finished login (password done, code to come) belongs to, else None."""
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()
