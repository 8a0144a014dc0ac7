from django.contrib import admin
from django.urls import path, re_path

from mercato.api import api, unknown_endpoint

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", unknown_endpoint),
]
