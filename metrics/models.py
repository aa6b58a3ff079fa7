"""Metrics models arrive with the issue that builds this app."""
