"""The rows products point at: categories, types, brands, tags, attributes, warehouses.

Each is created if missing and looked up by slug otherwise, so seeding beside hand-made
reference data neither fails nor duplicates it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Model
from django.utils.text import slugify

from mercato.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    ProductType,
    Tag,
)
from mercato.demo import plan, vocabulary
from mercato.demo.taxonomy import PRODUCT_TYPES
from mercato.inventory.models import Warehouse


@dataclass(frozen=True)
class ReferenceIds:
    """Primary keys by slug (attribute values by (attribute slug, value slug))."""

    categories: dict[str, int]
    product_types: dict[str, int]
    brands: dict[str, int]
    tags: dict[str, int]
    attribute_values: dict[tuple[str, str], int]
    warehouses: dict[str, int]


def ensure_reference_data() -> ReferenceIds:
    return ReferenceIds(
        categories=ensure_categories(),
        product_types=_ensure_named(ProductType, PRODUCT_TYPES.values()),
        brands=_ensure_named(Brand, vocabulary.BRANDS),
        tags=_ensure_named(Tag, vocabulary.TAGS),
        attribute_values=ensure_attribute_values(),
        warehouses=ensure_warehouses(),
    )


def _ensure_named(model: type[Model], names: Sequence[str]) -> dict[str, int]:
    """Rows with a unique name and slug; returns {slug: pk}."""
    slugs = [slugify(name) for name in names]
    model.objects.bulk_create(
        [model(name=name, slug=slug) for name, slug in zip(names, slugs, strict=True)],
        ignore_conflicts=True,
    )
    return dict(model.objects.filter(slug__in=slugs).values_list("slug", "pk"))


def ensure_categories() -> dict[str, int]:
    """The three-level tree, created level by level so each parent has its id first."""
    ids: dict[str, int] = {}
    plans = plan.category_plans()
    tree = {item.slug: item for item in plans}
    for level_plans in _levels(plans):
        Category.objects.bulk_create(
            [
                Category(
                    name=item.name, slug=item.slug, position=item.position,
                    parent_id=ids[item.parent_slug] if item.parent_slug else None,
                    seo_title=" - ".join(reversed(plan.category_path(item, tree))),
                    description=f"Our {item.name.lower()} collection.",
                )
                for item in level_plans
            ],
            ignore_conflicts=True,
        )
        slugs = [item.slug for item in level_plans]
        ids.update(Category.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return ids


def _levels(plans: list[plan.CategoryPlan]) -> list[list[plan.CategoryPlan]]:
    depth: dict[str, int] = {}
    for item in plans:  # parents come before children
        depth[item.slug] = depth[item.parent_slug] + 1 if item.parent_slug else 0
    return [[item for item in plans if depth[item.slug] == level]
            for level in sorted(set(depth.values()))]


def ensure_attribute_values() -> dict[tuple[str, str], int]:
    values = plan.attribute_values()
    attribute_ids = _ensure_named(Attribute, list(values))
    AttributeValue.objects.bulk_create(
        [
            AttributeValue(attribute_id=attribute_ids[slugify(attribute)], name=name,
                           slug=slugify(name), position=position)
            for attribute, names in values.items()
            for position, name in enumerate(names)
        ],
        ignore_conflicts=True,
    )
    rows = AttributeValue.objects.filter(attribute_id__in=attribute_ids.values())
    return {
        (attribute_slug, value_slug): pk
        for attribute_slug, value_slug, pk in rows.values_list("attribute__slug", "slug", "pk")
    }


def ensure_warehouses() -> dict[str, int]:
    Warehouse.objects.bulk_create(
        [
            Warehouse(code=code, name=name, country=country, priority=priority, **address)
            for code, name, country, priority, address in plan.WAREHOUSES
        ],
        ignore_conflicts=True,
    )
    codes = [code for code, *_rest in plan.WAREHOUSES]
    return dict(Warehouse.objects.filter(code__in=codes).values_list("code", "pk"))
