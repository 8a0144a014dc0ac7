from decimal import Decimal

import pytest

from mercato.catalog.rules import (
    ancestors_of,
    excerpt,
    page_count,
    parse_attribute_filters,
    plain_text,
    search_document_for,
    search_words,
    shown_compare_at,
    subtree_counts,
    subtree_of,
)

# 1 is the root; 2 and 3 are its children; 4 is under 2; 5 is another root.
TREE = {1: None, 2: 1, 3: 1, 4: 2, 5: None}


def test_search_document_has_one_line_per_part_and_plain_description():
    document = search_document_for(
        title="Linen  shirt", brand_name="Acme", category_name="Shirts",
        tags=["summer", "new"], attribute_values=["Linen", "Blue"],
        description="<p>Light &amp; airy</p><p>Made in Portugal</p>",
    )

    assert document.splitlines() == [
        "Linen shirt", "Acme", "Shirts", "summer new", "Linen Blue",
        "Light & airy Made in Portugal",
    ]


def test_search_document_drops_empty_parts():
    assert search_document_for(title="Mug", description="  ") == "Mug"


def test_plain_text_keeps_words_of_adjacent_elements_apart():
    assert plain_text("<ul><li>one</li><li>two</li></ul>three<br>four") == "one two three four"


def test_search_words_are_lowercase_without_punctuation_or_repeats():
    assert search_words('Red, "red" shirt-dress!') == ["red", "shirt", "dress"]


def test_attribute_filters_group_values_by_attribute():
    parsed = parse_attribute_filters(["colour:red", "size:m", "Colour:Blue"])

    assert parsed == {"colour": frozenset({"red", "blue"}), "size": frozenset({"m"})}


@pytest.mark.parametrize("raw", ["colour", "colour:", ":red", "colour:red:dark", "colour red",
                                 "col our:red"])
def test_malformed_attribute_filter_is_rejected(raw):
    with pytest.raises(ValueError, match="attribute:value"):
        parse_attribute_filters([raw])


def test_subtree_holds_the_category_and_every_descendant():
    assert subtree_of(1, TREE) == {1, 2, 3, 4}
    assert subtree_of(2, TREE) == {2, 4}
    assert subtree_of(5, TREE) == {5}


def test_ancestors_run_from_the_root_down_to_the_parent():
    assert ancestors_of(4, TREE) == [1, 2]
    assert ancestors_of(1, TREE) == []


def test_a_corrupt_cycle_does_not_loop_forever():
    cycle = {1: 2, 2: 1}

    assert subtree_of(1, cycle) == {1, 2}
    assert ancestors_of(1, cycle) == [2]


def test_subtree_counts_add_descendants_to_their_ancestors():
    assert subtree_counts({4: 2, 3: 1, 5: 7, 99: 3}, TREE) == {4: 2, 2: 2, 3: 1, 1: 3, 5: 7}


def test_excerpt_cuts_long_text_at_a_word_boundary():
    assert excerpt("short", limit=10) == "short"
    assert excerpt("The quick brown fox jumps", limit=16) == "The quick brown…"


def test_compare_at_is_shown_only_above_the_price():
    assert shown_compare_at(price=Decimal("10"), compare_at=Decimal("12")) == Decimal("12")
    assert shown_compare_at(price=Decimal("10"), compare_at=Decimal("10")) is None
    assert shown_compare_at(price=Decimal("10"), compare_at=None) is None


def test_page_count_rounds_up():
    assert page_count(total=0, page_size=24) == 0
    assert page_count(total=24, page_size=24) == 1
    assert page_count(total=25, page_size=24) == 2
