"""The page on a phone (390 px wide): what Streamlit allows, through one CSS media query.

Streamlit stacks columns under 640 px and hides the sidebar behind a bare "»" button; it
has no layout API for small screens. What it does allow is CSS (``st.html``) and keyed
containers (``st.container(key=k)`` gets the class ``st-key-k``), so on narrow screens:

* the Plan action and the map come first: the figures of the scenario (the keyed
  ``headline`` container, inside Streamlit's ``stLayoutWrapper``) move below the map with
  the flexbox ``order`` property (CSS ``:has()``), and the
  title, paddings and figures are smaller;
* the map is as tall as the phone allows next to the Plan action (:data:`PHONE_MAP_VH`
  of the screen's height), not the desktop's 640 px;
* the sidebar's "»" button carries a word ("Shift and scenario"), so a person finds the
  editors; the figures sit two to a row instead of one under the other;
* wide tables scroll sideways inside their own box instead of being cut off.

Nothing here changes the page on a desktop screen.
"""

from __future__ import annotations

import json

import streamlit as st

from logistics.i18n import _

#: Under this width (px) the phone layout applies (Streamlit stacks columns there too).
PHONE_MAX_WIDTH_PX = 640

#: The map's height on a phone, in percent of the screen's height.
PHONE_MAP_VH = 50

#: Keyed containers of the page the phone layout moves (``st.container(key=...)``).
HEADLINE_KEY = "headline"
MAP_KEY = "mapbox"


def phone_css() -> str:
    """The page's small-screen rules (a ``<style>`` element), in the page's language."""
    label = json.dumps(_("Shift and scenario"))  # a CSS string: quoted and escaped
    w = PHONE_MAX_WIDTH_PX
    wrap = '[data-testid="stLayoutWrapper"]'  # Streamlit's box around a keyed container
    return f"""<style>
@media (max-width: {w}px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.6rem 0.8rem 2rem 0.8rem; }}
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 1.35rem; padding: 0 0 0.2rem 0; }}
  [data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"] {{
    gap: 0.6rem;
  }}
  {wrap}:has(> .st-key-{HEADLINE_KEY}) {{ order: 1; }}
  {wrap}:has(> .st-key-{MAP_KEY}) ~ * {{ order: 2; }}
  .st-key-{HEADLINE_KEY} [data-testid="stHorizontalBlock"] {{
    flex-direction: row; flex-wrap: wrap; gap: 0.4rem 0.8rem;
  }}
  .st-key-{HEADLINE_KEY} [data-testid="stColumn"] {{
    flex: 1 1 calc(50% - 0.8rem); min-width: calc(50% - 0.8rem);
  }}
  [data-testid="stMetricValue"] {{ font-size: 1.4rem; }}
  .st-key-{MAP_KEY} [data-testid="stDeckGlJsonChart"] {{
    height: {PHONE_MAP_VH}vh !important; max-height: {PHONE_MAP_VH}vh;
  }}
  [data-testid="stExpandSidebarButton"] {{ width: auto; padding: 0 0.5rem; gap: 0.3rem; }}
  [data-testid="stExpandSidebarButton"]::after {{
    content: {label}; font-size: 0.9rem; white-space: nowrap;
  }}
  [data-testid="stTable"] {{ overflow-x: auto; }}
  [data-testid="stTable"] table {{ min-width: 100%; }}
}}
</style>"""


def use_phone_layout() -> None:
    """Put the small-screen rules on the page (call once per run, before the panels)."""
    st.markdown(phone_css(), unsafe_allow_html=True)
