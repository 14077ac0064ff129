from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("oversight/reports/", views.reports, name="reports"),
    path("oversight/reports/open/", views.report_open, name="report_open"),
    path("oversight/reports/<int:pk>/", views.report_detail, name="report"),
    path("oversight/reports/files/<int:pk>/", views.report_attachment, name="report_attachment"),
    path("oversight/city-report/", views.city_report, name="city_report"),
    path("oversight/city-report/report.xlsx", views.city_report_xlsx, name="city_report_xlsx"),
    path("oversight/city-report/report.pdf", views.city_report_pdf, name="city_report_pdf"),
    path("oversight/dashboard/", views.dashboard_page, name="dashboard"),
    path("oversight/dashboard.xlsx", views.dashboard_export, name="dashboard_export"),
]
