from django.contrib import admin
from django.urls import include, path, re_path

from mercato.api import api, unknown_endpoint
from mercato.core.operations.scrape import metrics
from mercato.figures import FIGURES

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # /healthz and /readyz are answered by a middleware (core/operations/health.py).
    path("metrics", metrics, {"figures": FIGURES}, name="metrics"),
    re_path(r"^api/(?P<path>.*)$", unknown_endpoint),
    path("", include("mercato.storefront.urls")),
]

handler400 = "mercato.storefront.views.errors.bad_request"
handler404 = "mercato.storefront.views.errors.page_not_found"
handler500 = "mercato.storefront.views.errors.server_error"
