"""Scoring and the service layer (pure: no Streamlit)."""
