"""REST API routes of the triage app (mounted under /api/v1/triage/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
