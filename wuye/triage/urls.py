from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<int:pk>/review/", views.correction_review, name="correction_review"),
]
