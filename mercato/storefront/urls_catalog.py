"""Storefront URLs: catalog pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
