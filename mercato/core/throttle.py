"""A fixed-window limit per client address, kept in Django's cache (shared by every web process
when CACHE_URL points at Redis).

Each scope (`lookup`, `register`, ...) allows `count` requests per `seconds` from one client
address, as settings.MERCATO_RATE_LIMITS says. The request over the limit is refused before it
does anything: `check` raises TooManyRequests with the seconds left in the window.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from mercato.core.problems import TooManyRequests


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the nearest address in X-Forwarded-For that is not
    one of our own proxies, when the request came through one (MERCATO_TRUSTED_PROXIES). A
    client can write anything in that header, so it is believed only from a trusted peer."""
    peer = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not is_trusted_proxy(peer):
        return peer if is_address(peer) else ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):  # the right-most hops were added by our proxies
        if not is_trusted_proxy(hop):
            return hop if is_address(hop) else peer  # garbage in the header: the proxy
    return hops[0]  # every hop is one of ours: the request came from inside


def client_ip(request: HttpRequest) -> str | None:
    """The client address for django-axes, which stores it as an IP: None when unknown (a
    request made up in code, such as the test client's force_login)."""
    return client_address(request) or None


def is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def is_trusted_proxy(address: str) -> bool:
    if not is_address(address):
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(network, strict=False)
               for network in settings.MERCATO_TRUSTED_PROXIES)


def check(scope: str, request: HttpRequest) -> None:
    """Count this request against the scope's limit for its client; over it: TooManyRequests."""
    if not settings.MERCATO_ABUSE_LIMITS:
        return
    count, seconds = settings.MERCATO_RATE_LIMITS[scope]
    now = time.time()
    window = int(now // seconds)
    key = f"throttle:{scope}:{client_address(request)}:{window}"
    # add() only creates the counter; incr() is atomic in Redis and per process in LocMem.
    cache.add(key, 0, timeout=seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # the counter expired between add() and incr()
        cache.add(key, 1, timeout=seconds + 1)
        used = 1
    if used > count:
        retry_after = max(1, math.ceil((window + 1) * seconds - now))
        raise TooManyRequests(too_many_tries(retry_after), retry_after=retry_after)


def too_many_tries(retry_after: int) -> str:
    """The words shoppers read: how long to wait, in minutes (at least one)."""
    minutes = max(1, math.ceil(retry_after / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many tries. Please wait {minutes} {unit} and try again."
