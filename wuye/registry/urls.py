from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("estates/", views.estate_list, name="estate_list"),
    path("estates/new/", views.estate_edit, name="estate_create"),
    path("estates/<slug:code>/", views.estate_detail, name="estate_detail"),
    path("estates/<slug:code>/units/", views.estate_units, name="estate_units"),
    path("estates/<slug:code>/units/<int:unit_id>/voter/", views.unit_designate_voter, name="unit_voter"),
    path("estates/<slug:code>/edit/", views.estate_edit, name="estate_edit"),
    path("estates/<slug:code>/contract/", views.contract_create, name="contract_create"),
    path("estates/<slug:code>/committee/", views.committee_edit, name="committee_edit"),
    path("contracts/<int:pk>/end/", views.contract_end, name="contract_end"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_edit, name="company_create"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("import/", views.registry_import, name="import"),
]
