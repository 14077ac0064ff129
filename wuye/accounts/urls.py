from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("owner/", views.owner_login, name="owner_login"),
    path("login/code/", views.login_code, name="login_code"),
    path("second-factor/", views.second_factor_setup, name="second_factor"),
]
