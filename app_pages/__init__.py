"""Streamlit pages of app.py: one file per page (its body), with shared helpers in state.py (session,
data, cached runs, the address), tables.py, charts.py and inputs.py."""
