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



# What a staff member types into a back-office action form's fields.
TYPED = {"reason": "asked by the customer", "carrier": "DHL", "tracking_number": "3318810025"}


class _ActionForms(HTMLParser):
    """The POST forms that are not the page's change form (whose action is empty) nor the
    log-out form, with what a browser would send: hidden and typed-in values, the selected
    options, the checked boxes, and the form's submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.form: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method", "").lower() == "post" and attrs.get("action")
                    and attrs.get("id") != "logout-form"):
                self.form = {"action": attrs["action"], "data": {}, "buttons": []}
            return
        if self.form is None:
            return
        data = self.form["data"]
        if tag == "option" and self.select:
            if "selected" in attrs or self.select not in data:
                data[self.select] = attrs.get("value", "")
            return
        name = attrs.get("name")
        if not name:
            return
        kind = attrs.get("type", "text") if tag == "input" else tag
        if kind == "submit":
            self.form["buttons"].append((name, attrs.get("value", "")))
        elif kind == "checkbox":
            if "checked" in attrs:
                data[name] = attrs.get("value", "on")
        elif kind == "select":
            self.select = name
        elif tag in ("input", "textarea"):
            data[name] = attrs.get("value") or TYPED.get(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None


def action_forms(html: str) -> list[dict]:
    """Each back-office button's own form on a page: {"action", "data", "buttons"}."""
    parser = _ActionForms()
    parser.feed(html)
    return parser.forms
