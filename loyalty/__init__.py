"""Loyalty Cockpit core: data contract, workspace store, query runner, models, CLI.

This package never imports Streamlit; the app in app.py/app_pages/components builds on it.
"""

__version__ = "0.1.0"
