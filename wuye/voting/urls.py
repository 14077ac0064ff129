from django.urls import path

from . import views

app_name = "voting"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.assembly_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/motions/", views.motion_add, name="motion_add"),
    path("motions/<int:motion_pk>/remove/", views.motion_remove, name="motion_remove"),
    path("motions/<int:motion_pk>/documents/", views.document_add, name="document_add"),
    path("documents/<int:doc_pk>/", views.document_download, name="document"),
    path("<int:pk>/do/<str:action>/", views.assembly_action, name="action"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/receipt/", views.my_receipt, name="receipt"),
    path("<int:pk>/paper/", views.paper_ballot, name="paper"),
    path("<int:pk>/paper/<str:receipt>/scan/", views.paper_scan, name="paper_scan"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/electorate/", views.electorate, name="electorate"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/ballots.json", views.ballots_json, name="ballots_json"),
    path("<int:pk>/objections/", views.objection_raise, name="objection_raise"),
    path("objections/<int:objection_pk>/answer/", views.objection_answer, name="objection_answer"),
]
