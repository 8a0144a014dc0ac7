from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from mercato.api import api, unknown_endpoint

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html",
                                  extra_context={"shop_name": settings.MERCATO_SHOP_NAME})),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", unknown_endpoint),
    path("", include("mercato.storefront.urls")),
]
