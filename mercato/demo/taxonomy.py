"""The demo shop's category tree: three levels, each leaf saying what kind of products it holds."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Leaf:
    """A leaf category and the recipe for its products."""

    name: str
    product_type: str  # slug of a PRODUCT_TYPES entry
    options: str  # "apparel" (colour x size), "shoes" (colour x EU size), "colour", "single"
    nouns: tuple[str, ...]
    materials: tuple[str, ...]
    price_eur: tuple[int, int]  # whole euros, inclusive
    weight_grams: tuple[int, int]


PRODUCT_TYPES = {
    "apparel": "Apparel",
    "shoes": "Shoes",
    "accessories": "Accessories",
    "homeware": "Homeware",
}

COTTONS = ("Cotton", "Organic cotton", "Linen", "Recycled polyester")
KNITS = ("Merino wool", "Cashmere", "Wool", "Organic cotton")
DENIMS = ("Denim", "Organic cotton", "Recycled polyester")
OUTER = ("Wool", "Recycled polyester", "Cotton", "Leather")
FOOTWEAR = ("Leather", "Suede", "Canvas", "Recycled polyester")
LEATHERS = ("Leather", "Suede", "Canvas")
TEXTILES = ("Linen", "Cotton", "Organic cotton", "Wool")
CERAMICS = ("Stoneware", "Porcelain", "Glass")

APPAREL = "apparel"

WOMEN = {
    "Tops": (
        Leaf("T-shirts", APPAREL, "apparel", ("T-shirt", "Crew-neck tee", "V-neck tee"),
             COTTONS, (15, 45), (150, 250)),
        Leaf("Shirts & blouses", APPAREL, "apparel", ("Blouse", "Shirt", "Tunic"),
             ("Silk", "Linen", "Cotton", "Viscose"), (35, 110), (150, 300)),
        Leaf("Knitwear", APPAREL, "apparel", ("Jumper", "Cardigan", "Roll-neck"),
             KNITS, (49, 180), (300, 600)),
    ),
    "Bottoms": (
        Leaf("Jeans", APPAREL, "apparel", ("Jeans", "Straight jeans", "Wide-leg jeans"),
             DENIMS, (59, 140), (500, 800)),
        Leaf("Trousers", APPAREL, "apparel", ("Trousers", "Culottes", "Pleated trousers"),
             ("Wool", "Linen", "Cotton", "Viscose"), (45, 130), (300, 600)),
        Leaf("Skirts", APPAREL, "apparel", ("Midi skirt", "Mini skirt", "Wrap skirt"),
             ("Linen", "Cotton", "Silk", "Viscose"), (35, 110), (200, 400)),
    ),
    "Dresses": (
        Leaf("Day dresses", APPAREL, "apparel", ("Shirt dress", "Midi dress", "Wrap dress"),
             COTTONS, (45, 150), (250, 500)),
        Leaf("Evening dresses", APPAREL, "apparel", ("Slip dress", "Maxi dress", "Gown"),
             ("Silk", "Satin", "Viscose"), (90, 320), (300, 700)),
    ),
    "Shoes": (
        Leaf("Sneakers", "shoes", "shoes", ("Sneakers", "Trainers", "Plimsolls"),
             FOOTWEAR, (59, 160), (600, 900)),
        Leaf("Boots", "shoes", "shoes", ("Ankle boots", "Chelsea boots", "Knee boots"),
             LEATHERS, (99, 290), (900, 1500)),
        Leaf("Sandals", "shoes", "shoes", ("Sandals", "Slides", "Espadrilles"),
             ("Leather", "Canvas", "Cork"), (35, 120), (300, 600)),
    ),
    "Accessories": (
        Leaf("Bags", "accessories", "colour", ("Tote bag", "Crossbody bag", "Shopper"),
             LEATHERS, (39, 260), (400, 1200)),
        Leaf("Scarves", "accessories", "colour", ("Scarf", "Shawl", "Bandana"),
             ("Silk", "Cashmere", "Wool", "Cotton"), (19, 140), (80, 300)),
        Leaf("Jewellery", "accessories", "single", ("Necklace", "Hoop earrings", "Ring"),
             ("Sterling silver", "Gold-plated brass", "Recycled silver"), (25, 180), (10, 60)),
    ),
}

MEN = {
    "Tops": (
        Leaf("T-shirts", APPAREL, "apparel", ("T-shirt", "Pocket tee", "Henley"),
             COTTONS, (15, 45), (180, 280)),
        Leaf("Shirts", APPAREL, "apparel", ("Oxford shirt", "Overshirt", "Flannel shirt"),
             ("Cotton", "Linen", "Organic cotton", "Flannel"), (39, 120), (250, 450)),
        Leaf("Knitwear", APPAREL, "apparel", ("Jumper", "Cardigan", "Quarter-zip"),
             KNITS, (49, 190), (350, 700)),
    ),
    "Bottoms": (
        Leaf("Jeans", APPAREL, "apparel", ("Jeans", "Slim jeans", "Carpenter jeans"),
             DENIMS, (59, 150), (600, 900)),
        Leaf("Chinos", APPAREL, "apparel", ("Chinos", "Pleated chinos", "Work trousers"),
             ("Cotton", "Organic cotton", "Linen"), (49, 120), (400, 650)),
        Leaf("Shorts", APPAREL, "apparel", ("Shorts", "Swim shorts", "Cargo shorts"),
             ("Cotton", "Linen", "Recycled polyester"), (29, 75), (200, 350)),
    ),
    "Outerwear": (
        Leaf("Jackets", APPAREL, "apparel", ("Field jacket", "Bomber jacket", "Rain jacket"),
             OUTER, (89, 320), (700, 1300)),
        Leaf("Coats", APPAREL, "apparel", ("Overcoat", "Parka", "Peacoat"),
             ("Wool", "Cashmere", "Recycled polyester"), (149, 490), (1200, 2000)),
    ),
    "Shoes": (
        Leaf("Sneakers", "shoes", "shoes", ("Sneakers", "Runners", "High-tops"),
             FOOTWEAR, (69, 170), (700, 1000)),
        Leaf("Boots", "shoes", "shoes", ("Chelsea boots", "Work boots", "Desert boots"),
             LEATHERS, (109, 320), (1100, 1700)),
        Leaf("Loafers", "shoes", "shoes", ("Loafers", "Derby shoes", "Brogues"),
             ("Leather", "Suede"), (89, 260), (800, 1200)),
    ),
    "Accessories": (
        Leaf("Belts", "accessories", "colour", ("Belt", "Woven belt", "Reversible belt"),
             LEATHERS, (25, 95), (150, 300)),
        Leaf("Hats", "accessories", "colour", ("Beanie", "Cap", "Bucket hat"),
             ("Wool", "Cotton", "Merino wool"), (19, 69), (60, 150)),
        Leaf("Wallets", "accessories", "colour", ("Wallet", "Card holder", "Coin purse"),
             ("Leather", "Suede", "Canvas"), (29, 120), (50, 150)),
    ),
}

HOME = {
    "Kitchen": (
        Leaf("Cookware", "homeware", "single", ("Frying pan", "Casserole", "Saucepan"),
             ("Cast iron", "Stainless steel", "Carbon steel"), (35, 240), (1200, 4500)),
        Leaf("Tableware", "homeware", "colour", ("Dinner plate", "Bowl", "Mug"),
             CERAMICS, (9, 59), (250, 900)),
        Leaf("Knives", "homeware", "single", ("Chef's knife", "Bread knife", "Paring knife"),
             ("Stainless steel", "Carbon steel", "Damascus steel"), (29, 220), (120, 300)),
    ),
    "Living": (
        Leaf("Cushions", "homeware", "colour", ("Cushion cover", "Floor cushion", "Bolster"),
             TEXTILES, (19, 79), (300, 900)),
        Leaf("Throws", "homeware", "colour", ("Throw", "Blanket", "Quilt"),
             ("Wool", "Cotton", "Cashmere", "Linen"), (39, 220), (800, 1800)),
        Leaf("Vases", "homeware", "colour", ("Vase", "Bud vase", "Planter"),
             CERAMICS, (15, 120), (400, 2000)),
        Leaf("Candles", "homeware", "single", ("Scented candle", "Candle set", "Tealights"),
             ("Soy wax", "Beeswax", "Rapeseed wax"), (12, 55), (200, 700)),
    ),
    "Bath": (
        Leaf("Towels", "homeware", "colour", ("Bath towel", "Hand towel", "Towel set"),
             ("Cotton", "Organic cotton", "Linen"), (15, 89), (400, 1500)),
        Leaf("Bathrobes", APPAREL, "apparel", ("Bathrobe", "Waffle robe", "Kimono robe"),
             ("Cotton", "Organic cotton", "Linen"), (49, 140), (900, 1600)),
    ),
    "Bedroom": (
        Leaf("Bedding", "homeware", "colour", ("Duvet cover", "Sheet set", "Pillowcase pair"),
             ("Linen", "Cotton", "Organic cotton"), (29, 220), (600, 2200)),
        Leaf("Lamps", "homeware", "colour", ("Table lamp", "Floor lamp", "Reading lamp"),
             ("Brass", "Oak", "Glass", "Stoneware"), (49, 290), (1500, 6000)),
    ),
}

CATEGORY_TREE: dict[str, dict[str, tuple[Leaf, ...]]] = {
    "Women": WOMEN,
    "Men": MEN,
    "Home": HOME,
}
