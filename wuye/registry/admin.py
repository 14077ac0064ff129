from django.contrib import admin

from .models import (
    Building,
    City,
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
from .selectors import contract_row, contracts_in_force

admin.site.register([City, County, Town])


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
    list_display = ("estate", "company", "start", "end", "state")
    list_filter = ("hiring",)
    raw_id_fields = ("estate", "company")

    @admin.display(description="状态")
    def state(self, obj: ServiceContract) -> str:
        """From the dates (registry.selectors.contracts_in_force), not from the `is_current` bookkeeping flag."""
        in_force = contracts_in_force().filter(pk=obj.pk).exists()
        return contract_row(obj, in_force=in_force).label


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
