"""Where a webhook may be sent: public http(s) addresses only."""

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from mercato.integrations.errors import InvalidWebhookUrl
from mercato.integrations.rules import is_public_address

MAX_URL_LENGTH = 2000  # WebhookSubscription.url's


def check_url(url: str) -> list[str]:
    """Refuse what is not http(s), and hosts that resolve to a loopback, link-local, private or
    otherwise non-public address (unless MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS); the addresses
    the host resolved to ([] when private ones are allowed: nothing to pin). Checked when a
    subscription is saved and again before each send (DNS may change)."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhookUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.",
                                errors={"url": [f"At most {MAX_URL_LENGTH} characters."]})
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhookUrl(f"{url!r} is not an http:// or https:// URL with a host.",
                                errors={"url": ["Enter an http:// or https:// URL."]})
    if settings.MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS:
        return []
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError, ValueError):  # ValueError: a port out of range
        raise InvalidWebhookUrl(f"The host {parts.hostname!r} does not resolve.",
                                errors={"url": ["The host does not resolve."]}) from None
    private = sorted(address for address in addresses if not is_public_address(address))
    if private:
        raise InvalidWebhookUrl(
            f"{parts.hostname} resolves to {', '.join(private)}: webhooks go to public "
            "addresses only (MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS=true allows others, for local "
            "development).", errors={"url": ["Not a public address."]})
    return sorted(addresses)


@dataclass(frozen=True)
class Target:
    """Where a send connects: the address that was checked, not the name again, so a name
    that resolves elsewhere a moment later (DNS rebinding) cannot reach the shop's network.
    The URL's own host still goes in the Host header and names the TLS certificate."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, str]


def pinned(url: str, addresses: list[str]) -> Target:
    """`url` with its host replaced by the first checked address ([]: `url` as it is)."""
    if not addresses:
        return Target(url, {}, {})
    parts = urlsplit(url)
    address = addresses[0]
    netloc = f"[{address}]" if ":" in address else address
    if parts.port is not None:
        netloc += f":{parts.port}"
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    host = name + (f":{parts.port}" if parts.port is not None else "")
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return Target(urlunsplit(parts._replace(netloc=netloc)), {"host": host}, extensions)

