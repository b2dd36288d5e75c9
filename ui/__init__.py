"""Streamlit helpers shared by the dashboard pages (filters, cached loaders, charts, maps, widgets)."""
