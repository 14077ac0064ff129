"""REST API routes of the revenue app (mounted under /api/v1/revenue/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
