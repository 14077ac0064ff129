from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    # public, no login
    path("credit/", views.public_list, name="public_list"),
    path("credit/companies/<str:credit_code>/", views.company_public, name="company_public"),
    path("credit/lists/<str:quarter>/", views.red_black, name="red_black"),
    path("exposure/", views.exposure, name="exposure"),
    path("exposure/feed.atom", views.exposure_feed, name="exposure_feed"),
    path("notices/", views.notices_public, name="notices_public"),
    path("notices/<int:year>/<int:seq>/", views.notice_public, name="notice_public"),
    path("notices/<int:year>/<int:seq>.pdf", views.notice_public_pdf, name="notice_pdf"),
    # the bureau (and a company for its own dossier and objections)
    path("credit/bureau/", views.bureau_home, name="bureau"),
    path("credit/bureau/companies/<str:credit_code>/", views.dossier, name="dossier"),
    path("credit/bureau/rules/", views.rules, name="rules"),
    path("credit/bureau/records/new/", views.record_new, name="record_new"),
    path("credit/bureau/honours/", views.honours, name="honours"),
    path("credit/bureau/joint-punishment.xlsx", views.joint_export, name="joint_export"),
    path("credit/bureau/objections/", views.objections, name="objections"),
    path("credit/bureau/objections/<int:pk>/", views.objection_decide, name="objection_decide"),
    path("credit/bureau/objections/<int:pk>/evidence/", views.objection_evidence, name="objection_evidence"),
    path("credit/bureau/events/<int:pk>/objection/", views.objection_new, name="objection_new"),
    path("credit/bureau/notices/", views.notices, name="notices"),
    path("credit/bureau/notices/new/", views.notice_edit, name="notice_new"),
    path("credit/bureau/notices/<int:pk>/", views.notice_preview, name="notice_preview"),
    path("credit/bureau/notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("credit/bureau/notices/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
]
