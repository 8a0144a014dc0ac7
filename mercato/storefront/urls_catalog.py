"""Storefront URLs: catalog pages."""

from django.urls import URLPattern, path

from mercato.storefront.views import catalog

urlpatterns: list[URLPattern] = [
    path("", catalog.home, name="home"),
    path("c/<slug:slug>/", catalog.category, name="category"),
    path("search/", catalog.search, name="search"),
    path("p/<slug:slug>/", catalog.product, name="product"),
    path("sitemap.xml", catalog.sitemap, name="sitemap"),
    path("robots.txt", catalog.robots_txt, name="robots"),
]
