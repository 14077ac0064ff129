from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    ctx = selectors.home_summary(request.user)
    return render(request, "portal/home.html", ctx)
