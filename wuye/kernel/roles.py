"""The roles of §1: one per user. Vocabulary every app may name (the User model and login live in accounts)."""

from django.db import models


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "专班办公室负责人"
    TASK_FORCE = "task_force", "专班成员"
    CITY_VIEWER = "city_viewer", "市住建局（只读）"
    PROVINCE_VIEWER = "province_viewer", "省住建厅（只读）"
    COMPANY_STAFF = "company_staff", "物业企业工作人员"
    COMMITTEE_MEMBER = "committee_member", "业委会/物管会成员"
    OWNER = "owner", "业主"


BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.TASK_FORCE})
# roles that read whole counties: which counties is `registry.selectors.counties_visible_to` (their own county for
# the bureau, the city's counties for a city viewer, every county for the province); none but the bureau writes
COUNTY_READ_ROLES = frozenset({Role.BUREAU_ADMIN, Role.TASK_FORCE, Role.CITY_VIEWER, Role.PROVINCE_VIEWER})
VIEWER_ROLES = frozenset({Role.CITY_VIEWER, Role.PROVINCE_VIEWER})
STAFF_ROLES = frozenset(
    {
        Role.BUREAU_ADMIN,
        Role.TASK_FORCE,
        Role.CITY_VIEWER,
        Role.PROVINCE_VIEWER,
        Role.COMPANY_STAFF,
        Role.COMMITTEE_MEMBER,
    }
)
