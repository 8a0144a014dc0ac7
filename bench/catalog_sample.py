"""Prints, as JSON, what the bench scenarios pick from: published slugs, categories, title words.

Run by bench/run.py in a subprocess with DATABASE_URL set, so each database is read on its own.
"""

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mercato.settings")


def main() -> None:
    import django

    django.setup()
    from mercato.catalog.models import Category, Product

    published = Product.objects.filter(is_published=True).order_by("id")
    titles = published.values_list("title", flat=True)[:5000]
    words = sorted({
        word.lower() for title in titles for word in re.findall(r"[A-Za-z]{4,}", title)
    })
    print(json.dumps({
        "products": Product.objects.count(),
        "slugs": list(published.values_list("slug", flat=True)),
        "categories": list(Category.objects.order_by("id").values_list("slug", flat=True)),
        "words": words,
    }))


if __name__ == "__main__":
    main()
