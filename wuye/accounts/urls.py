from django.urls import path

from . import office_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("owner/", views.owner_login, name="owner_login"),
    path("login/code/", views.login_code, name="login_code"),
    path("second-factor/", views.second_factor_setup, name="second_factor"),
    path("enrol/<str:token>/", views.enrol_link, name="enrol_link"),
    # the office head's pages
    path("api-tokens/", office_views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", office_views.api_token_revoke, name="api_token_revoke"),
    path("enrolment-links/", office_views.enrolment_links, name="enrolment_links"),
    path("sms-stats/", office_views.sms_stats, name="sms_stats"),
]
