"""The Django admin for a deployment with many counties.

The admin shows every table unfiltered (owners, phones, every county's cases). With one county its office head
(a superuser by role) may use it as before; once the deployment holds a second county, the admin belongs to the
operator alone — a superuser with no county (`createsuperuser`) — and a county's office head works through the
bureau's own pages, which are scoped to their county.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class WuyeAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        from wuye.registry.models import County  # here: this module is loaded with the app registry

        county_id = getattr(request.user, "county_id", None)
        return county_id is None or not County.objects.exclude(pk=county_id).exists()


class WuyeAdminConfig(AdminConfig):
    default_site = "wuye.portal.admin_site.WuyeAdminSite"
