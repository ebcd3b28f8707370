"""The card: an outcome as text, static HTML and an interactive widget, with its fix-it form.

Plain data and pure logic: `outcome` (Result, Message), `safe` (the HTML builder), `render`
(text and static HTML), `forms` (what each fix-it form asks, finds wrong and changes, chosen by
the catalog entry), `request_fields`, `recipients`, `retry`, `copy_as_code`, `live_html`;
for delivery reports `report` (groups by status and code), `delivery_html` and `delivery_forms`
(the fix-it form of each failing group). Widgets (ipywidgets, loaded with the first card):
`widgets` (the cards), `fix_form`, `delivery_card`, `safe_widget`. Importing the layer
registers how outcomes display (`display`); the data itself (`outcome`) imports no renderer.
"""
from . import display  # noqa: F401  (registers the renderers with outcome)
