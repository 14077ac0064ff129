"""REST API routes of the voting app (mounted under /api/v1/voting/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
