"""REST API routes of the intake app (mounted under /api/v1/intake/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
