"""What the demo catalog holds, decided by one random.Random(seed): pure, no database.

The builder turns these plans into rows. Everything a plan holds follows from the seed, so the
same seed gives the same SKUs, prices and stock on every run and every database.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils.text import slugify

from mercato.catalog.rules import search_document_for
from mercato.demo import codes, vocabulary
from mercato.demo.taxonomy import CATEGORY_TREE, Leaf

WAREHOUSES = (
    # code, name, country, priority, postal address (returns are sent there)
    ("berlin", "Berlin fulfilment centre", "DE", 10,
     {"street_address_1": "Lagerstraße 12", "postal_code": "12347", "city": "Berlin"}),
    ("leeds", "Leeds fulfilment centre", "GB", 20,
     {"street_address_1": "14 Canal Wharf", "postal_code": "LS11 5PS", "city": "Leeds"}),
)
# Per unit of EUR: a fixed table, not live rates, so prices never change between runs.
CURRENCY_RATES = {"USD": Decimal("1.09"), "GBP": Decimal("0.86")}
SALE_MARKUPS = (Decimal("1.2"), Decimal("1.25"), Decimal("1.33"), Decimal("1.5"))
EUR_ENDINGS = (Decimal("0.00"), Decimal("0.50"), Decimal("0.95"), Decimal("0.99"))
# Every Nth product (by number) is unpublished or out of stock, so even a 50-product catalog
# shows both cases, whatever the seed.
UNPUBLISHED_EVERY, UNPUBLISHED_AT = 30, 11
OUT_OF_STOCK_EVERY, OUT_OF_STOCK_AT = 25, 17
ONE_YEAR_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class CategoryPlan:
    slug: str
    name: str
    parent_slug: str | None
    position: int
    leaf: Leaf | None


@dataclass(frozen=True)
class PricePlan:
    currency: str
    amount: Decimal
    compare_at: Decimal | None


@dataclass(frozen=True)
class VariantPlan:
    sku: str
    name: str
    options: tuple[tuple[str, str], ...]  # (attribute slug, value slug)
    weight_grams: int
    barcode: str
    prices: tuple[PricePlan, ...]
    stock: tuple[tuple[str, int, str], ...]  # (warehouse code, on hand, bin location)


@dataclass(frozen=True)
class ProductPlan:
    number: int
    title: str
    slug: str
    description: str
    product_type: str
    brand: str  # names, not slugs, for brand, tags and attribute values
    category: str  # slug
    category_path: tuple[str, ...]
    tags: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]  # (attribute slug, value name)
    is_published: bool
    seo_title: str
    seo_description: str
    search_document: str
    image_url: str
    age: timedelta
    variants: tuple[VariantPlan, ...]


def category_plans() -> list[CategoryPlan]:
    """The tree, parents before children; slugs spell the path ('women-tops-t-shirts')."""
    plans: list[CategoryPlan] = []
    for root_position, (root, middles) in enumerate(CATEGORY_TREE.items()):
        root_slug = slugify(root)
        plans.append(CategoryPlan(root_slug, root, None, root_position, None))
        for middle_position, (middle, leaves) in enumerate(middles.items()):
            middle_slug = f"{root_slug}-{slugify(middle)}"
            plans.append(CategoryPlan(middle_slug, middle, root_slug, middle_position, None))
            for leaf_position, leaf in enumerate(leaves):
                slug = f"{middle_slug}-{slugify(leaf.name)}"
                plans.append(CategoryPlan(slug, leaf.name, middle_slug, leaf_position, leaf))
    return plans


def attribute_values() -> dict[str, list[str]]:
    """Attribute name -> value names, in display order."""
    materials = sorted({
        material
        for middles in CATEGORY_TREE.values()
        for leaves in middles.values()
        for leaf in leaves
        for material in leaf.materials
    })
    return {
        "Colour": [name for name, _code in vocabulary.COLOURS],
        "Size": [*vocabulary.APPAREL_SIZES, *vocabulary.SHOE_SIZES],
        "Material": materials,
        "Fit": list(vocabulary.FITS),
    }


def title_case(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split())


def plan_products(*, count: int, seed: int) -> Iterator[ProductPlan]:
    """`count` products in number order; one generator consumes one Random sequentially."""
    rng = random.Random(seed)
    tree = {plan.slug: plan for plan in category_plans()}
    categories = [plan for plan in tree.values() if plan.leaf is not None]
    barcode_sequence = 0
    for number in range(1, count + 1):
        category = rng.choice(categories)
        path = category_path(category, tree)
        product = _plan_product(rng, number=number, category=category, path=path,
                                first_barcode=barcode_sequence + 1)
        barcode_sequence += len(product.variants)
        yield product


def category_path(category: CategoryPlan, tree: dict[str, CategoryPlan]) -> tuple[str, ...]:
    names = [category.name]
    while category.parent_slug is not None:
        category = tree[category.parent_slug]
        names.insert(0, category.name)
    return tuple(names)


@dataclass(frozen=True)
class Words:
    """The chosen words a product's texts are written from."""

    brand: str
    material: str
    fit: str | None
    title: str


def _pick_words(rng: random.Random, leaf: Leaf) -> Words:
    brand = rng.choice(vocabulary.BRANDS)
    material = rng.choice(leaf.materials)
    fit = rng.choice(vocabulary.FITS) if leaf.options == "apparel" else None
    noun = rng.choice(leaf.nouns)
    adjective = rng.choice(vocabulary.ADJECTIVES)
    words = f"{adjective} {material} {noun}" if rng.random() < 0.5 else f"{adjective} {noun}"
    return Words(brand=brand, material=material, fit=fit, title=title_case(words))


def _plan_product(rng: random.Random, *, number: int, category: CategoryPlan,
                  path: tuple[str, ...], first_barcode: int) -> ProductPlan:
    leaf = category.leaf
    assert leaf is not None
    words = _pick_words(rng, leaf)
    slug = f"{slugify(words.title)}-{number:06d}"
    prices = _plan_prices(rng, leaf)
    variants = _plan_variants(rng, leaf=leaf, number=number, prices=prices,
                              out_of_stock=number % OUT_OF_STOCK_EVERY == OUT_OF_STOCK_AT,
                              first_barcode=first_barcode)
    tags = _plan_tags(rng, on_sale=prices[0].compare_at is not None)
    description = _description(rng, words=words, care=vocabulary.CARE[leaf.product_type])
    attribute_names = [words.fit, words.material] if words.fit else [words.material]
    return ProductPlan(
        number=number, title=words.title, slug=slug, description=description,
        product_type=leaf.product_type, brand=words.brand, category=category.slug,
        category_path=path, tags=tags,
        attributes=(("material", words.material), *((("fit", words.fit),) if words.fit else ())),
        is_published=number % UNPUBLISHED_EVERY != UNPUBLISHED_AT,
        seo_title=f"{words.title} by {words.brand}",
        seo_description=f"Shop the {words.title} by {words.brand}, made from "
                        f"{words.material.lower()}. Free returns within 30 days.",
        # The rule catalog.services.refresh_search_document applies: same text, same order.
        search_document=search_document_for(
            title=words.title, brand_name=words.brand, category_name=category.name,
            tags=sorted(tags), attribute_values=attribute_names, description=description),
        image_url=f"https://picsum.photos/seed/{slug}/600/800",
        age=timedelta(seconds=rng.randrange(ONE_YEAR_SECONDS)),
        variants=variants,
    )


def _description(rng: random.Random, *, words: Words, care: tuple[str, ...]) -> str:
    fit_words = f", in a {words.fit.lower()} fit" if words.fit else ""
    return " ".join((
        f"{rng.choice(vocabulary.OPENINGS)}.",
        f"The {words.title} by {words.brand} is made from {words.material.lower()}{fit_words}.",
        rng.choice(vocabulary.DETAILS),
        rng.choice(care),
    ))


def _plan_tags(rng: random.Random, *, on_sale: bool) -> tuple[str, ...]:
    ordinary = [tag for tag in vocabulary.TAGS if tag != "Sale"]
    chosen = rng.sample(ordinary, k=rng.choice((0, 1, 1, 2, 2, 3)))
    return ("Sale", *chosen) if on_sale else tuple(chosen)


def _plan_prices(rng: random.Random, leaf: Leaf) -> tuple[PricePlan, ...]:
    """EUR first; USD and GBP converted from it; about one product in five on sale."""
    euros = rng.randint(*leaf.price_eur)
    ending = rng.choice(EUR_ENDINGS)
    eur = Decimal(euros) + ending - (1 if ending else 0)
    markup = rng.choice(SALE_MARKUPS) if rng.random() < 0.2 else None
    amounts = {"EUR": eur, **{code: codes.converted_price(eur, rate)
                              for code, rate in CURRENCY_RATES.items()}}
    return tuple(
        PricePlan(currency, amount,
                  codes.charm_price(amount * markup) if markup else None)
        for currency, amount in amounts.items()
    )


def _plan_variants(rng: random.Random, *, leaf: Leaf, number: int,
                   prices: tuple[PricePlan, ...], out_of_stock: bool,
                   first_barcode: int) -> tuple[VariantPlan, ...]:
    base_weight = rng.randint(*leaf.weight_grams)
    variants = []
    for position, options in enumerate(_option_combinations(rng, leaf.options)):
        shoe_extra = 20 * (int(options[1][2]) - 36) if leaf.options == "shoes" else 0
        variants.append(VariantPlan(
            sku=codes.variant_sku(product_number=number,
                                  option_codes=tuple(code for _a, _v, code in options)),
            name=" / ".join(name for _a, name, _c in options) or "Standard",
            options=tuple((attribute, slugify(name)) for attribute, name, _c in options),
            weight_grams=base_weight + shoe_extra,
            barcode=codes.ean13(first_barcode + position),
            prices=prices,
            stock=_plan_stock(rng, out_of_stock=out_of_stock),
        ))
    return tuple(variants)


def _option_combinations(rng: random.Random,
                         kind: str) -> list[tuple[tuple[str, str, str], ...]]:
    """Each variant's options as (attribute slug, value name, SKU code); 1 to 6 variants."""
    if kind == "single":
        return [()]
    wanted = rng.randint(1, 4 if kind == "colour" else 6)
    colour_count = wanted if kind == "colour" else (1 if wanted <= 3 else 2)
    colours = [("colour", name, code)
               for name, code in rng.sample(vocabulary.COLOURS, k=colour_count)]
    if kind == "colour":
        return [(colour,) for colour in colours]
    sizes = vocabulary.APPAREL_SIZES if kind == "apparel" else vocabulary.SHOE_SIZES
    run = -(-wanted // colour_count)
    start = rng.randint(0, len(sizes) - run)
    picked = [("size", size, size) for size in sizes[start:start + run]]
    return [(colour, size) for colour in colours for size in picked][:wanted]


def _plan_stock(rng: random.Random, *, out_of_stock: bool) -> tuple[tuple[str, int, str], ...]:
    """Mostly in both warehouses, sometimes in one; some rows at zero."""
    roll = rng.random()
    codes_held = ("berlin", "leeds") if roll < 0.6 else ("berlin",) if roll < 0.85 else ("leeds",)
    rows = []
    for code in codes_held:
        on_hand = 0 if out_of_stock or rng.random() < 0.12 else rng.randint(1, 60)
        location = f"{rng.choice('ABCDEF')}-{rng.randint(1, 24):02d}-{rng.randint(1, 5)}"
        rows.append((code, on_hand, location))
    return tuple(rows)
