"""The product page's structured data, as a parser made for it (extruct) reads it."""

import extruct

from tests.e2e.shop import CANDLE


def test_product_page_carries_schema_org_product_json_ld_with_offers(page, server):
    url = f"{server.url}/p/{CANDLE[0]}/"
    response = page.goto(url)
    assert response is not None and response.status == 200, server.log_tail()
    html = response.text()  # as the server sent it, not the browser's DOM

    data = extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=True)["json-ld"]
    products = [item for item in data if item.get("@type") == "Product"]
    assert len(products) == 1, data
    product = products[0]
    assert product["name"] == CANDLE[1]
    assert product.get("image"), "merchant listings need an image"
    offers = product["offers"]
    offers = offers if isinstance(offers, list) else [offers]
    assert offers
    for offer in offers:
        assert offer["@type"] in {"Offer", "AggregateOffer"}
        price = offer.get("price", offer.get("lowPrice"))
        assert float(str(price)) > 0
        assert offer["priceCurrency"] == "EUR"
        assert offer["availability"] in {"https://schema.org/InStock", "http://schema.org/InStock"}
