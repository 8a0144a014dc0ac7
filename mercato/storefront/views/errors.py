"""Error pages in the shop's layout. The 500 page is rendered without the request's context
processors, so it needs neither the database nor the session that may be what failed."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    page = loader.render_to_string("404.html", {"path": request.path}, request=request)
    return HttpResponseNotFound(page)


def server_error(request: HttpRequest) -> HttpResponse:
    page = loader.render_to_string("500.html", {"shop_name": settings.MERCATO_SHOP_NAME})
    return HttpResponseServerError(page)
