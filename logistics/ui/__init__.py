"""The Streamlit app's pages, actions and map layers (``app.py`` only wires them).

Pages and panels: ``sidebar``, ``map_panel``, ``results``, ``compare``, ``downloads``; what a
click does: ``actions``; session state, cached read-only resources and small helpers:
``state``. Map layers, Streamlit-free (tests import them directly): ``style`` (colours, layer
order), ``map_base`` (roads, assumed links, areas), ``map_plan`` (points, blockades, trips),
``deck`` (the deck, clicks, blockade entries).
"""
