import pytest
from django.utils import timezone

from mercato.catalog.models import Product
from tests.catalog.builders import add_variant, created_days_ago, listed_product, slugs
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)

# pricing.selectors.shelf_prices_for: promotions, category tree, two targets.
SHELF_QUERIES = 4

pytestmark = pytest.mark.django_db


def test_lists_only_published_products(api):
    shown = listed_product()
    listed_product(is_published=False)

    response = api.get("/products")

    assert response.status_code == 200
    assert slugs(response) == [shown.slug]
    assert response.json()["total"] == 1


def test_item_shows_price_brand_category_stock_image_and_date(api):
    product = listed_product(price="19.9")
    ProductImageFactory(product=product, url="https://img.example/second.jpg", position=2)
    ProductImageFactory(product=product, url="https://img.example/first.jpg", alt_text="Front",
                        position=1)

    item = api.get("/products").json()["items"][0]

    assert item == {
        "slug": product.slug, "title": product.title,
        "brand": {"slug": product.brand.slug, "name": product.brand.name},
        "category": {"slug": product.category.slug, "name": product.category.name},
        "price": {"amount": "19.90", "currency": "EUR"}, "compare_at_price": None,
        "sale_price": {"amount": "19.90", "currency": "EUR"}, "sale_promotions": [],
        "in_stock": True, "image": {"url": "https://img.example/first.jpg", "alt": "Front"},
        "created_at": item["created_at"],
    }
    assert item["created_at"].startswith(str(product.created_at.year))


def test_item_without_brand_category_or_image_has_nulls(api):
    listed_product(brand=None, category=None)

    item = api.get("/products").json()["items"][0]

    assert (item["brand"], item["category"], item["image"]) == (None, None, None)


def test_listing_price_is_the_lowest_variant_price_in_the_currency(api):
    product = listed_product(price="30.00")
    add_variant(product, prices={"EUR": "25.00", "USD": "40.00"})
    add_variant(product, prices={"USD": "20.00"})

    eur = api.get("/products").json()["items"][0]["price"]
    usd = api.get("/products", {"currency": "usd"}).json()["items"][0]["price"]

    assert eur == {"amount": "25.00", "currency": "EUR"}
    assert usd == {"amount": "20.00", "currency": "USD"}


def test_products_without_a_price_in_the_currency_are_not_listed(api):
    euro_only = listed_product(currency="EUR")
    dollar_only = listed_product(currency="USD")
    ProductVariantFactory(product=ProductFactory())

    assert slugs(api.get("/products")) == [euro_only.slug]
    assert slugs(api.get("/products", {"currency": "USD"})) == [dollar_only.slug]


def test_compare_at_price_is_shown_only_above_the_price(api):
    on_sale = listed_product(price="99.00")
    add_variant(on_sale, prices={"EUR": "10.00"}, compare_at="15.00")
    not_on_sale = listed_product(price="99.00")
    add_variant(not_on_sale, prices={"EUR": "10.00"}, compare_at="10.00")

    items = {item["slug"]: item for item in api.get("/products").json()["items"]}

    assert items[on_sale.slug]["compare_at_price"] == {"amount": "15.00", "currency": "EUR"}
    assert items[not_on_sale.slug]["compare_at_price"] is None


def test_category_filter_includes_every_sub_category(api):
    clothing = CategoryFactory(slug="clothing")
    shirts = CategoryFactory(slug="shirts", parent=clothing)
    linen = CategoryFactory(slug="linen-shirts", parent=shirts)
    in_clothing, in_shirts, in_linen = (listed_product(category=category)
                                        for category in (clothing, shirts, linen))
    listed_product(category=CategoryFactory(slug="shoes"))

    assert set(slugs(api.get("/products", {"category": "clothing"}))) == {
        in_clothing.slug, in_shirts.slug, in_linen.slug}
    assert set(slugs(api.get("/products", {"category": "shirts"}))) == {
        in_shirts.slug, in_linen.slug}


def test_unknown_category_is_a_not_found_problem(api):
    listed_product()

    response = api.get("/products", {"category": "no-such-category"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/not-found")


def test_brand_filter_accepts_several_brands(api):
    first, second, _other = listed_product(), listed_product(), listed_product()

    response = api.get("/products", {"brand": [first.brand.slug, second.brand.slug]})

    assert set(slugs(response)) == {first.slug, second.slug}


def test_price_range_filter_is_inclusive_and_in_the_chosen_currency(api):
    cheap = listed_product(price="10.00")
    middle = listed_product(price="20.00")
    dear = listed_product(price="30.00")
    add_variant(cheap, prices={"USD": "50.00"})

    assert set(slugs(api.get("/products", {"min_price": "10", "max_price": "20.00"}))) == {
        cheap.slug, middle.slug}
    assert slugs(api.get("/products", {"min_price": "20.01"})) == [dear.slug]
    assert slugs(api.get("/products", {"currency": "USD", "min_price": "40"})) == [cheap.slug]


def test_attribute_filter_matches_product_values_or_variant_options(api):
    red_product = listed_product(attributes=("colour:red",))
    red_variant = listed_product(options=("colour:red",))
    listed_product(options=("colour:blue",))

    response = api.get("/products", {"attr": "colour:red"})

    assert set(slugs(response)) == {red_product.slug, red_variant.slug}


def test_attribute_filter_is_or_within_an_attribute_and_across_attributes(api):
    red_m = listed_product(options=("colour:red", "size:m"))
    blue_m = listed_product(attributes=("colour:blue",), options=("size:m",))
    red_l = listed_product(options=("colour:red", "size:l"))

    either_colour = api.get("/products", {"attr": ["colour:red", "colour:blue"]})
    red_and_m = api.get("/products", {"attr": ["colour:red", "size:m"]})

    assert set(slugs(either_colour)) == {red_m.slug, blue_m.slug, red_l.slug}
    assert slugs(red_and_m) == [red_m.slug]


def test_unknown_attribute_value_matches_nothing(api):
    listed_product(options=("colour:red",))

    assert slugs(api.get("/products", {"attr": "colour:ultraviolet"})) == []


def test_in_stock_filter_both_ways_and_allocated_units_are_not_in_stock(api):
    stocked = listed_product(on_hand=3, allocated=2)
    all_allocated = listed_product(on_hand=3, allocated=3)
    no_stock = listed_product(on_hand=0)
    second_variant_stocked = listed_product(on_hand=0)
    add_variant(second_variant_stocked, prices={"EUR": "5.00"}, on_hand=1)

    in_stock = api.get("/products", {"in_stock": "true"})
    sold_out = api.get("/products", {"in_stock": "false"})
    flags = {item["slug"]: item["in_stock"] for item in api.get("/products").json()["items"]}

    assert set(slugs(in_stock)) == {stocked.slug, second_variant_stocked.slug}
    assert set(slugs(sold_out)) == {all_allocated.slug, no_stock.slug}
    assert flags == {stocked.slug: True, second_variant_stocked.slug: True,
                     all_allocated.slug: False, no_stock.slug: False}


def _three_products() -> list[Product]:
    now = timezone.now()
    products = [listed_product(title="Banana", price="20.00"),
                listed_product(title="apple", price="30.00"),
                listed_product(title="Cherry", price="10.00")]
    for age, product in enumerate(products):
        created_days_ago(product, age, now=now)
    return products


@pytest.mark.parametrize(("sort", "expected"), [
    (None, ["Banana", "apple", "Cherry"]),
    ("newest", ["Banana", "apple", "Cherry"]),
    ("relevance", ["Banana", "apple", "Cherry"]),
    ("price", ["Cherry", "Banana", "apple"]),
    ("-price", ["apple", "Banana", "Cherry"]),
])
def test_sort_orders(api, sort, expected):
    _three_products()

    response = api.get("/products", {"sort": sort} if sort else {})

    assert [item["title"] for item in response.json()["items"]] == expected
    assert response.json()["sort"] == (sort if sort not in (None, "relevance") else "newest")


def test_title_sort_both_directions(api):
    _three_products()

    ascending = [item["title"].lower() for item in
                 api.get("/products", {"sort": "title"}).json()["items"]]
    descending = [item["title"].lower() for item in
                  api.get("/products", {"sort": "-title"}).json()["items"]]

    assert sorted(ascending) == ascending
    assert descending == list(reversed(ascending))


def test_pagination_pages_through_every_product_once(api):
    for _ in range(5):
        listed_product()

    pages = [api.get("/products", {"page": page, "page_size": 2}).json() for page in (1, 2, 3, 4)]

    assert [len(page["items"]) for page in pages] == [2, 2, 1, 0]
    assert {(page["total"], page["pages"], page["page_size"]) for page in pages} == {(5, 3, 2)}
    assert len({item["slug"] for page in pages for item in page["items"]}) == 5


def test_default_page_size_is_24(api):
    body = api.get("/products").json()

    assert (body["page"], body["page_size"], body["total"], body["pages"]) == (1, 24, 0, 0)


@pytest.mark.parametrize(("params", "field"), [
    ({"page": 0}, "page"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": 1000}, "page_size"),
    ({"currency": "XXX"}, "currency"),
    ({"currency": "JPY"}, "currency"),
    ({"sort": "popularity"}, "sort"),
    ({"attr": "colour"}, "attr"),
    ({"attr": ["colour:red", "size:"]}, "attr"),
    ({"min_price": "cheap"}, "min_price"),
    ({"min_price": "-1"}, "min_price"),
    ({"in_stock": "maybe"}, "in_stock"),
])
def test_invalid_parameters_are_a_problem_naming_the_field(api, params, field):
    listed_product()

    response = api.get("/products", params)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("page_size", [5, 50])
def test_listing_runs_a_fixed_number_of_queries_whatever_the_page_size(
        api, page_size, django_assert_max_num_queries):
    categories = [CategoryFactory(), CategoryFactory()]
    for number in range(50):
        product = listed_product(options=("colour:red", f"size:s{number % 3}"),
                                 attributes=("material:linen",),
                                 category=categories[number % 2])
        add_variant(product, prices={"EUR": "5.00", "USD": "6.00"}, on_hand=2,
                    options=("colour:blue",), compare_at="9.00")
        ProductImageFactory(product=product)
        ProductImageFactory(product=product)

    with django_assert_max_num_queries(6 + SHELF_QUERIES):
        response = api.get("/products", {"page_size": page_size, "attr": "colour:red",
                                         "in_stock": "true", "sort": "price",
                                         "category": categories[0].slug, "q": "product"})

    assert len(response.json()["items"]) == min(page_size, 25)


def test_blank_search_text_lists_everything_newest_first(api):
    older, newer = listed_product(), listed_product()
    created_days_ago(older, 2)

    body = api.get("/products", {"q": "   ", "sort": "relevance"}).json()

    assert [item["slug"] for item in body["items"]] == [newer.slug, older.slug]
    assert body["sort"] == "newest"


def test_listing_with_every_filter_still_runs_a_fixed_number_of_queries(
        api, django_assert_max_num_queries):
    for number in range(10):
        product = listed_product(options=("colour:red",), attributes=("material:linen",))
        add_variant(product, prices={"EUR": "5.00"}, on_hand=1, options=(f"size:s{number}",))
    brands = list(Product.objects.values_list("brand__slug", flat=True)[:3])

    with django_assert_max_num_queries(6 + SHELF_QUERIES):
        response = api.get("/products", {
            "brand": brands, "attr": ["colour:red", "material:linen"], "in_stock": "true",
            "min_price": "1", "max_price": "50", "q": "product", "sort": "relevance",
        })

    assert response.json()["total"] == 3
