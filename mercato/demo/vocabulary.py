"""Word lists the demo catalog is written from (our own, so no Faker and no drift between runs)."""

BRANDS = (
    "Nordlicht", "Atelier Brume", "Holm & Hart", "Linea Verde", "Fjordline", "Casa Terra",
    "Maison Ocre", "Kettle & Co", "Saltmarsh", "Oak & Ember", "Bergfeld", "Studio Lumen",
    "Wildmoor", "Pellegrino Bros", "Ashgrove", "Tidewell", "Mørk", "Camden Row",
    "Alba Sartoria", "Greywater",
)

# (name, SKU code)
COLOURS = (
    ("Black", "BLK"), ("White", "WHT"), ("Navy", "NAV"), ("Grey", "GRY"), ("Red", "RED"),
    ("Olive", "OLV"), ("Sand", "SND"), ("Rust", "RST"), ("Sage", "SGE"), ("Sky blue", "SKY"),
    ("Ecru", "ECR"), ("Burgundy", "BRG"), ("Mustard", "MUS"), ("Forest green", "FOR"),
    ("Charcoal", "CHR"), ("Blush", "BLS"),
)

APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = tuple(str(size) for size in range(36, 47))

FITS = ("Slim", "Regular", "Relaxed", "Oversized")

ADJECTIVES = (
    "Classic", "Essential", "Relaxed", "Everyday", "Heritage", "Coastal", "Alpine", "Urban",
    "Weekend", "Studio", "Harbour", "Meadow", "Field", "Archive", "Nomad", "Solstice",
    "Evening", "Garden", "Market", "Northern",
)

TAGS = (
    "New in", "Bestseller", "Sustainable", "Organic", "Limited edition", "Gift idea",
    "Sale", "Summer", "Winter", "Essentials", "Handmade", "Vegan", "Made in Europe",
    "Recycled", "Staff pick", "Back in stock", "Fair trade", "Travel", "Workwear", "Lounge",
)

OPENINGS = (
    "Designed to be worn and loved for years",
    "A quiet favourite that goes with everything",
    "Cut and finished in a small family workshop",
    "Our take on a timeless piece",
    "Made in small batches with care",
    "Built for everyday use, finished by hand",
)

CARE = {  # by product type slug
    "apparel": ("Machine wash at 30 degrees.", "Hand wash cold and dry flat.", "Dry clean only."),
    "shoes": ("Brush clean and use a protective spray.", "Wipe clean with a damp cloth."),
    "accessories": ("Wipe clean with a damp cloth.", "Store in the dust bag provided."),
    "homeware": ("Dishwasher safe.", "Wipe clean with a damp cloth.", "Hand wash only."),
}

DETAILS = (
    "Designed in our Berlin studio.",
    "Gets better with age and use.",
    "Packed in plastic-free packaging.",
    "Comes with a two-year guarantee.",
    "Each piece varies slightly, which is part of its charm.",
    "Finished with low-impact dyes and oils.",
)
