"""Streamlit pages of app.py (see app_pages/ui.py)."""
