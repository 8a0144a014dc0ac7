"""Reads of the category tree: it is small, so it is loaded whole in one query."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count

from mercato.catalog.models import Category, Product
from mercato.catalog.rules import Parents, ancestors_of, children_map, subtree_counts, subtree_of
from mercato.core.problems import NotFound


@dataclass(frozen=True)
class CategoryTree:
    by_id: dict[int, Category]
    by_slug: dict[str, Category]
    parents: Parents

    def subtree_ids(self, slug: str) -> set[int]:
        """The category's id and its descendants'; NotFound for an unknown slug."""
        category = self.by_slug.get(slug)
        if category is None:
            raise NotFound(f"There is no category '{slug}'.")
        return subtree_of(category.pk, self.parents)

    def breadcrumb(self, category_id: int) -> list[Category]:
        return [self.by_id[ancestor] for ancestor in ancestors_of(category_id, self.parents)]


@dataclass
class CategoryNode:
    slug: str
    name: str
    product_count: int
    children: list["CategoryNode"] = field(default_factory=list)


def category_parents() -> dict[int, int | None]:
    """Each category's parent id, the whole (small) tree in one query: ancestry and subtrees
    are then computed with catalog.rules."""
    return dict(Category.objects.values_list("pk", "parent_id"))


def category_tree_index() -> CategoryTree:
    categories = list(Category.objects.all())
    return CategoryTree(
        by_id={category.pk: category for category in categories},
        by_slug={category.slug: category for category in categories},
        parents={category.pk: category.parent_id for category in categories},
    )


def category_tree() -> list[CategoryNode]:
    """The nested category tree, each node counting published products in its subtree."""
    tree = category_tree_index()
    direct = (
        Product.objects.filter(is_published=True, category__isnull=False)
        .order_by().values("category").annotate(count=Count("pk")).values_list("category", "count")
    )
    counts = subtree_counts(dict(direct), tree.parents)
    children = children_map(tree.parents)

    def node(category_id: int) -> CategoryNode:
        category = tree.by_id[category_id]
        kids = sorted(children.get(category_id, []), key=_position_key(tree))
        return CategoryNode(slug=category.slug, name=category.name,
                            product_count=counts.get(category_id, 0),
                            children=[node(kid) for kid in kids])

    roots = [pk for pk, parent in tree.parents.items() if parent not in tree.by_id]
    return [node(root) for root in sorted(roots, key=_position_key(tree))]


def _position_key(tree: CategoryTree) -> Callable[[int], tuple[int, str]]:
    return lambda pk: (tree.by_id[pk].position, tree.by_id[pk].name)
