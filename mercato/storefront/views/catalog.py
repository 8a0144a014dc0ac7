"""Catalog pages: home, category listing, search, product page, sitemap.xml and robots.txt.

They read through the catalog selectors the API uses and validate the listing's query string
with the API's own schema, so a filter means the same on both. Pages for anonymous shoppers
without a cart or session are cacheable; anything personal is never cached.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.views.decorators.http import require_safe
from pydantic import ValidationError

from mercato.catalog.models import Category, Product, ProductListing, ProductVariant
from mercato.catalog.rules import excerpt, parse_attribute_filters, plain_text
from mercato.catalog.schemas import DEFAULT_PAGE_SIZE, ProductListQuery
from mercato.catalog.selectors import (
    ListingFilters,
    ProductDetail,
    ProductPage,
    category_tree,
    product_detail,
    products_for_listing,
)
from mercato.catalog.selectors.categories import category_tree_index
from mercato.catalog.selectors.detail import SEO_DESCRIPTION_LENGTH
from mercato.catalog.selectors.listing import filtered_listings, page_of
from mercato.core.money import Money
from mercato.core.problems import NotFound
from mercato.pricing.selectors import (
    ShelfPrices,
    shelf_prices_of_listings,
    shelf_prices_of_variants,
)

# Short enough that a price or stock change shows within a minute on a shared cache.
CATALOG_MAX_AGE = 60
FEATURED_PRODUCTS = 8
FEATURED_CATEGORIES = 8
SORT_LABELS = {
    "relevance": "Best match", "newest": "Newest", "price": "Price: low to high",
    "-price": "Price: high to low", "title": "Name: A to Z", "-title": "Name: Z to A",
}
SCHEMA_IN_STOCK = "https://schema.org/InStock"
SCHEMA_OUT_OF_STOCK = "https://schema.org/OutOfStock"
View = Callable[..., HttpResponse]


def cacheable_for_anonymous(view: View) -> View:
    """Public + short max-age + ETag for anonymous shoppers without cart, session or messages;
    never cached for anyone else (the header shows their cart and messages)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        if is_personal(request):
            add_never_cache_headers(response)
            return response
        patch_vary_headers(response, ["Cookie"])
        # A form's CSRF token minted with a new cookie is this shopper's only: not shared.
        if _mints_csrf_cookie(request):
            patch_cache_control(response, private=True, max_age=CATALOG_MAX_AGE)
        else:
            patch_cache_control(response, public=True, max_age=CATALOG_MAX_AGE)
        set_response_etag(response)
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapped


def _mints_csrf_cookie(request: HttpRequest) -> bool:
    """The page has a form whose CSRF token goes with a cookie this response sets for the
    first time (a shopper who sent the cookie gets the page keyed by it: Vary: Cookie)."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) and (
        settings.CSRF_COOKIE_NAME not in request.COOKIES)


def is_personal(request: HttpRequest) -> bool:
    """The request carries a cart, a session (a login, messages) or cookie-stored messages."""
    personal_cookies = {settings.MERCATO_CART_COOKIE, settings.SESSION_COOKIE_NAME,
                        getattr(settings, "MESSAGE_COOKIE_NAME", "messages")}
    return any(name in request.COOKIES for name in personal_cookies)


@dataclass(frozen=True)
class ProductCard:
    slug: str
    title: str
    brand: str
    price: Money  # what the shopper pays: automatic promotions taken off (pricing's shelf price)
    was: Money | None  # the old price, struck through
    in_stock: bool
    image_url: str | None
    image_alt: str


def product_cards(rows: list[ProductListing]) -> tuple[list[ProductCard], ShelfPrices]:
    """The cards of listing rows, priced by the pricing engine."""
    shelf = shelf_prices_of_listings(rows)
    cards = [
        ProductCard(
            slug=row.product.slug, title=row.product.title,
            brand=row.brand.name if row.brand else "", price=price.price, was=price.was,
            in_stock=row.in_stock, image_url=row.image_url, image_alt=row.image_alt or "",
        )
        for row, price in zip(rows, shelf.prices, strict=True)
    ]
    return cards, shelf


def valid_until_prices_change(response: HttpResponse, shelf: ShelfPrices) -> HttpResponse:
    """A shared cache keeps the page no longer than until a shelf promotion starts or ends
    (patch_cache_control keeps the lower of two max-ages)."""
    seconds = shelf.seconds_valid()
    if seconds is not None and seconds < CATALOG_MAX_AGE:
        patch_cache_control(response, max_age=seconds)
    return response


@require_safe
@cacheable_for_anonymous
def home(request: HttpRequest) -> HttpResponse:
    categories = [node for node in category_tree() if node.product_count]
    filters = ListingFilters(currency=settings.MERCATO_DEFAULT_CURRENCY, in_stock=True)
    newest = filtered_listings(filters=filters, tree=category_tree_index())
    rows = page_of(newest, sort="newest", q="", page=1, page_size=FEATURED_PRODUCTS)
    cards, shelf = product_cards(rows)
    return valid_until_prices_change(render(request, "storefront/catalog/home.html", {
        "categories": categories[:FEATURED_CATEGORIES], "products": cards,
        "canonical_url": request.build_absolute_uri("/"),
    }), shelf)


@require_safe
@cacheable_for_anonymous
def category(request: HttpRequest, slug: str) -> HttpResponse:
    tree = category_tree_index()
    current = tree.by_slug.get(slug)
    if current is None:
        raise Http404(f"There is no category '{slug}'.")
    listing = listing_context(request.GET, category=slug)
    listing["subcategories"] = [facet for facet in listing["page"].facets.categories
                                if facet.parent == slug]
    return valid_until_prices_change(render(request, "storefront/catalog/listing.html", {
        **listing, "category": current, "breadcrumb": tree.breadcrumb(current.pk),
        "heading": current.name, "action": reverse("storefront:category", args=[slug]),
        "canonical_url": request.build_absolute_uri(reverse("storefront:category",
                                                            args=[slug])),
        "meta_description": current.seo_description or excerpt(
            plain_text(current.description), limit=SEO_DESCRIPTION_LENGTH),
        "title": current.seo_title or current.name,
    }), listing["shelf"])


@require_safe
@cacheable_for_anonymous
def search(request: HttpRequest) -> HttpResponse:
    listing = listing_context(request.GET, category=request.GET.get("category") or None)
    q = listing["query"].q.strip()
    return valid_until_prices_change(render(request, "storefront/catalog/listing.html", {
        **listing, "searching": True, "action": reverse("storefront:search"),
        "heading": f"Results for “{q}”" if q else "All products",
        "title": f"Search: {q}" if q else "All products",
    }), listing["shelf"])


def listing_context(params: QueryDict, *, category: str | None) -> dict[str, Any]:
    """The listing page for the query string; invalid filters are dropped and explained."""
    query, errors = listing_query(params, category=category)
    filters = ListingFilters(
        currency=query.currency, category=query.category, brands=frozenset(query.brand),
        min_price=query.min_price, max_price=query.max_price,
        attributes=parse_attribute_filters(query.attr), in_stock=query.in_stock, q=query.q,
        sort=query.sort,
    )
    try:
        page = products_for_listing(filters=filters, page=query.page,
                                    page_size=DEFAULT_PAGE_SIZE)
    except NotFound as problem:
        raise Http404(problem.detail) from problem
    cards, shelf = product_cards(page.items)
    return {
        "query": query, "errors": errors, "page": page, "cards": cards, "shelf": shelf,
        "chosen_brands": set(query.brand), "chosen_attributes": set(query.attr),
        "sort_options": _sort_options(searching=bool(query.q.strip())),
        "page_links": page_links(params, page),
    }


def listing_query(params: QueryDict, *,
                  category: str | None) -> tuple[ProductListQuery, dict[str, list[str]]]:
    """The query string read by the API's schema, and the messages of what it refused."""
    raw: dict[str, Any] = {
        "page": params.get("page") or 1, "q": params.get("q", ""), "category": category,
        "min_price": params.get("min_price") or None, "max_price": params.get("max_price") or None,
        "brand": params.getlist("brand"), "attr": params.getlist("attr"),
        "in_stock": params.get("in_stock") or None, "sort": params.get("sort") or None,
    }
    try:
        return ProductListQuery.model_validate(raw), {}
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "query"
            errors.setdefault(field, []).append(item["msg"])
        valid = {key: value for key, value in raw.items() if key not in errors}
        return ProductListQuery.model_validate(valid), errors


def _sort_options(*, searching: bool) -> list[tuple[str, str]]:
    return [(value, label) for value, label in SORT_LABELS.items()
            if searching or value != "relevance"]


def page_links(params: QueryDict, page: ProductPage) -> dict[str, str | None]:
    """Query strings of the previous and next pages, keeping every filter."""

    def link(number: int) -> str:
        query = params.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    return {
        "previous": link(page.page - 1) if page.page > 1 else None,
        "next": link(page.page + 1) if page.page < page.pages else None,
    }


@dataclass(frozen=True)
class VariantChoice:
    sku: str
    label: str
    price: Money  # what the shopper pays: automatic promotions taken off (pricing's shelf price)
    was: Money | None  # the old price, struck through
    in_stock: bool
    quantity_available: int


def variant_choices(detail: ProductDetail,
                    currency: str) -> tuple[list[VariantChoice], ShelfPrices]:
    """The variants priced in the currency, as the picker offers them, priced by the pricing
    engine."""
    priced = [(variant, price) for variant in detail.variants
              for price in variant.prices.all() if price.currency == currency]
    shelf = shelf_prices_of_variants(detail.product, [price for _, price in priced])
    choices = [
        VariantChoice(
            sku=variant.sku, label=_variant_label(variant), price=shelf_price.price,
            was=shelf_price.was, in_stock=variant.quantity_available > 0,
            quantity_available=variant.quantity_available,
        )
        for (variant, _), shelf_price in zip(priced, shelf.prices, strict=True)
    ]
    return choices, shelf


def _variant_label(variant: ProductVariant) -> str:
    options = ", ".join(value.name for value in variant.option_values.all())
    return options or variant.name or variant.sku


@require_safe
@cacheable_for_anonymous
def product(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        detail = product_detail(slug=slug)
    except NotFound as problem:
        raise Http404(problem.detail) from problem
    choices, shelf = variant_choices(detail, settings.MERCATO_DEFAULT_CURRENCY)
    chosen = next((choice for choice in choices if choice.in_stock), None)
    canonical = request.build_absolute_uri(reverse("storefront:product", args=[slug]))
    images = [request.build_absolute_uri(image.url) for image in detail.product.images.all()]
    return valid_until_prices_change(render(request, "storefront/catalog/product.html", {
        "detail": detail, "product": detail.product, "choices": choices,
        "chosen": chosen or (choices[0] if choices else None),
        "purchasable": chosen is not None, "canonical_url": canonical, "image_urls": images,
        "json_ld": product_json_ld(detail, choices=choices, url=canonical, images=images),
    }), shelf)


def product_json_ld(detail: ProductDetail, *, choices: list[VariantChoice], url: str,
                    images: list[str]) -> dict[str, Any]:
    """schema.org Product with one Offer per variant sold in the shop's currency, at the price
    the shopper pays (automatic promotions taken off)."""
    product_ = detail.product
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Product", "name": product_.title,
        "description": detail.seo_description, "url": url,
        "sku": choices[0].sku if choices else "",
        "offers": [{
            "@type": "Offer", "sku": choice.sku, "url": url,
            "price": str(choice.price.amount),
            "priceCurrency": choice.price.currency.code,
            "availability": SCHEMA_IN_STOCK if choice.in_stock else SCHEMA_OUT_OF_STOCK,
            "itemCondition": "https://schema.org/NewCondition",
        } for choice in choices],
    }
    if images:
        data["image"] = images
    if product_.brand:
        data["brand"] = {"@type": "Brand", "name": product_.brand.name}
    if detail.breadcrumb:
        data["category"] = " > ".join(category_.name for category_ in detail.breadcrumb)
    return data


class ProductSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8
    limit = 10_000

    def items(self) -> QuerySet[Product]:
        return (Product.objects.filter(is_published=True).only("slug", "updated_at")
                .order_by("pk"))

    def location(self, item: Product) -> str:
        return reverse("storefront:product", args=[item.slug])

    def lastmod(self, item: Product) -> Any:
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> QuerySet[Category]:
        return Category.objects.only("slug").order_by("pk")

    def location(self, item: Category) -> str:
        return reverse("storefront:category", args=[item.slug])


class HomeSitemap(Sitemap):
    priority = 1.0
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["storefront:home"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"home": HomeSitemap, "categories": CategorySitemap, "products": ProductSitemap}


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    response = sitemap_view(request, sitemaps=SITEMAPS,
                            template_name="storefront/catalog/sitemap.xml")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    response = render(request, "storefront/catalog/robots.txt", {
        "sitemap_url": request.build_absolute_uri(reverse("storefront:sitemap")),
    }, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response
