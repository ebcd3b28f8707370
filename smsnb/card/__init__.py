"""The card: an outcome as text, static HTML and an interactive widget, with its fix-it form.

Importing the layer registers how outcomes display (`display`); the data itself (`outcome`)
imports no renderer.
"""
from . import display  # noqa: F401  (registers the renderers with outcome)
