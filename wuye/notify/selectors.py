"""Reads of notifications: a user's own in-app messages."""

from django.db.models import QuerySet

from wuye.accounts.models import User

from .models import Channel, Notification


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, channel=Channel.INAPP).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
