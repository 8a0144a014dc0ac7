"""Pure catalog rules: search documents, category trees, listing parameters. No ORM here."""

import html
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.html import strip_tags

SEARCH_DOCUMENT_SEPARATOR = "\n"
_WHITESPACE = re.compile(r"\s+")


def plain_text(markup: str) -> str:
    """Text of an HTML fragment: tags removed, entities decoded, whitespace collapsed."""
    # A space before each tag keeps words of adjacent block elements ("<p>a</p><p>b</p>") apart.
    spaced = markup.replace("<", " <")
    return _WHITESPACE.sub(" ", html.unescape(strip_tags(spaced))).strip()


def search_document_for(*, title: str, brand_name: str = "", category_name: str = "",
                        tags: Iterable[str] = (), attribute_values: Iterable[str] = (),
                        description: str = "") -> str:
    """The plain text that product search looks in, one line per source, empty parts dropped."""
    parts = [
        title, brand_name, category_name, " ".join(tags), " ".join(attribute_values),
        plain_text(description),
    ]
    cleaned = (_WHITESPACE.sub(" ", part).strip() for part in parts)
    return SEARCH_DOCUMENT_SEPARATOR.join(part for part in cleaned if part)


def excerpt(text: str, *, limit: int) -> str:
    """At most `limit` characters of plain text, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if not text[limit - 1].isspace():
        head = head.rsplit(" ", 1)[0]
    return f"{head.rstrip(' ,.;:')}…"


def search_words(text: str) -> list[str]:
    """The words of a shopper's query, in order, without punctuation or repeats."""
    return list(dict.fromkeys(re.findall(r"\w+", text.lower())))


# Slugs are ASCII; the pattern is also the API's documented one, so it is written as ECMAScript
# reads it too: no \w (Unicode in Python), no (?P<name>...) groups.
ATTRIBUTE_FILTER = re.compile(r"^[-A-Za-z0-9_]+:[-A-Za-z0-9_]+$")


def parse_attribute_filters(raw: Iterable[str]) -> dict[str, frozenset[str]]:
    """`colour:red`, `colour:blue`, `size:m` -> {"colour": {"red", "blue"}, "size": {"m"}}.

    Raises ValueError naming the first malformed filter.
    """
    wanted: dict[str, set[str]] = {}
    for item in raw:
        if ATTRIBUTE_FILTER.fullmatch(item) is None:  # fullmatch: `$` would let a final \n by
            raise ValueError(f"'{item}' is not of the form attribute:value (e.g. colour:red).")
        attribute, _, value = item.partition(":")
        wanted.setdefault(attribute.lower(), set()).add(value.lower())
    return {attribute: frozenset(values) for attribute, values in wanted.items()}


def page_count(*, total: int, page_size: int) -> int:
    return -(-total // page_size)


# The category tree as {category id: parent id}; small enough to walk in Python.
Parents = Mapping[int, int | None]


def children_map(parents: Parents) -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for category_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(category_id)
    return children


def subtree_of(root: int, parents: Parents) -> set[int]:
    """The category and all its descendants (a corrupt cycle cannot loop forever)."""
    children = children_map(parents)
    found: set[int] = set()
    pending = [root]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, ()))
    return found


def ancestors_of(category_id: int, parents: Parents) -> list[int]:
    """The ids from the root down to the category's parent (the breadcrumb before it)."""
    chain: list[int] = []
    current = parents.get(category_id)
    while current is not None and current not in chain and current != category_id:
        chain.append(current)
        current = parents.get(current)
    return list(reversed(chain))


def subtree_counts(direct: Mapping[int, int], parents: Parents) -> dict[int, int]:
    """Counts per category including every descendant's count, for categories with any."""
    totals: dict[int, int] = {}
    for category_id, count in direct.items():
        if category_id not in parents:
            continue
        for counted in [category_id, *ancestors_of(category_id, parents)]:
            totals[counted] = totals.get(counted, 0) + count
    return totals


def shown_compare_at(*, price: Decimal, compare_at: Decimal | None) -> Decimal | None:
    """A compare-at ("was") price is shown only when it is above the selling price."""
    if compare_at is None or compare_at <= price:
        return None
    return compare_at
