"""Helpers for the back-office tests."""

from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def form_data(response) -> dict:
    """The POST body a browser would send back for an admin change page, unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict = {}
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            data[form.add_prefix(name)] = value
    return data


class _FormNesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.nested: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag != "form":
            return
        described = " ".join(f'{name}="{value}"' for name, value in attrs
                             if name in ("id", "action", "class"))
        if self.open:
            self.nested.append(f"<form {described}> inside <form {self.open[-1]}>")
        self.open.append(described)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.open:
            self.open.pop()


def nested_forms(html: str) -> list[str]:
    """Every <form> that opens inside another one. A browser drops such a form's tag, so its
    button submits the outer form instead (on an admin change page: a blank 403)."""
    parser = _FormNesting()
    parser.feed(html)
    return parser.nested
