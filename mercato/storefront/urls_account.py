"""Storefront URLs: account pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
