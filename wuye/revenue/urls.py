from django.urls import path

from . import views

app_name = "revenue"
urlpatterns = [
    path("revenue/", views.home, name="home"),
    path("revenue/compliance/", views.compliance, name="compliance"),
    path("revenue/compliance.xlsx", views.compliance_export, name="compliance_export"),
    path("revenue/fund/", views.fund_county, name="fund_county"),
    path("revenue/estates/<slug:code>/", views.estate, name="estate"),
    path("revenue/estates/<slug:code>/account/", views.account_open, name="account_open"),
    path("revenue/estates/<slug:code>/account/status/", views.account_status, name="account_status"),
    path("revenue/estates/<slug:code>/entries/new/", views.entry_create, name="entry_create"),
    path("revenue/estates/<slug:code>/resolutions/new/", views.resolution_create, name="resolution_create"),
    path("revenue/estates/<slug:code>/contracts/new/", views.contract_create, name="contract_create"),
    path("revenue/estates/<slug:code>/businesses/new/", views.business_create, name="business_create"),
    path("revenue/estates/<slug:code>/publish/", views.disclosure_publish, name="disclosure_publish"),
    path("revenue/estates/<slug:code>/disclosures/<str:period>/", views.disclosure, name="disclosure"),
    path("revenue/estates/<slug:code>/fund/", views.fund_estate, name="fund_estate"),
    path("revenue/entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("revenue/entries/<int:pk>/vouchers/", views.entry_vouchers, name="entry_vouchers"),
    path("revenue/disclosures/<int:pk>/comment/", views.comment_add, name="comment_add"),
    path("revenue/objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("revenue/vouchers/<int:pk>/", views.public_voucher, name="voucher"),
    # Public (no login): the notice-board QR points at the first one.
    path("estates/<slug:code>/revenue/", views.public_index, name="public"),
    path("estates/<slug:code>/revenue/qr.svg", views.public_qr, name="public_qr"),
    path("estates/<slug:code>/revenue/<str:period>.pdf", views.public_pdf, name="public_pdf"),
    path("estates/<slug:code>/revenue/<str:period>/", views.public_statement, name="public_statement"),
    path(
        "estates/<slug:code>/revenue/<str:period>/objection/", views.public_objection, name="public_objection"
    ),
]
