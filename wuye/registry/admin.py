from django.contrib import admin

from .models import (
    Building,
    Committee,
    CommitteeMember,
    County,
    Estate,
    Owner,
    PropertyCompany,
    ServiceContract,
    Town,
    Unit,
)

admin.site.register([County, Town])


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("code", "name", "town")
    list_filter = ("town",)
    search_fields = ("code", "name", "aliases", "pinyin_initials")


@admin.register(PropertyCompany)
class CompanyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("name", "credit_code", "legal_representative")
    search_fields = ("name", "credit_code")


@admin.register(ServiceContract)
class ContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("estate", "company", "start", "end", "is_current")
    list_filter = ("is_current", "hiring")
    raw_id_fields = ("estate", "company")


class MemberInline(admin.TabularInline):  # type: ignore[type-arg]  # not subscriptable at run time
    model = CommitteeMember
    extra = 0


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("estate", "kind", "term_start", "term_end", "has_party_org", "is_current")
    inlines = [MemberInline]
    raw_id_fields = ("estate",)


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("estate", "name")
    raw_id_fields = ("estate",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("building", "number", "area", "developer_held")
    raw_id_fields = ("estate", "building")


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("name", "phone")
    search_fields = ("name", "phone")
