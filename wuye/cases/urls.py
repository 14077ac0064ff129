from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.xlsx", views.case_export, name="export"),
    path("new/", views.case_create, name="create"),
    path("revisit/", views.revisit_home, name="revisit"),
    path("revisit/<int:pk>/", views.revisit_batch, name="revisit_batch"),
    path("revisit/item/<int:pk>/", views.revisit_record, name="revisit_record"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/split/<int:lead_pk>/", views.case_split, name="split"),
    path("<str:number>/<slug:op>/", views.case_act, name="act"),
]
