"""Error pages in the shop's layout. The 500 page is rendered without the request's context
processors, so it needs neither the database nor the session that may be what failed."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Input the shop cannot read (a NUL character, a body over the upload limit). Rendered
    without the request's context processors: the request is what was wrong."""
    if isinstance(exception, RequestDataTooBig):
        title, message, status = ("Too much data", "What you sent is larger than the shop "
                                  "accepts; nothing was changed.", 413)
    else:
        title, message, status = ("Could not read your request", "Something you sent contains "
                                  "a character the shop cannot accept (such as the NUL "
                                  "character); nothing was changed. Please check it and try "
                                  "again.", 400)
    context = {"shop_name": settings.MERCATO_SHOP_NAME, "title": title, "message": message}
    return HttpResponse(loader.render_to_string("400.html", context), status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    page = loader.render_to_string("404.html", {"path": request.path}, request=request)
    return HttpResponseNotFound(page)


def server_error(request: HttpRequest) -> HttpResponse:
    page = loader.render_to_string("500.html", {"shop_name": settings.MERCATO_SHOP_NAME})
    return HttpResponseServerError(page)
