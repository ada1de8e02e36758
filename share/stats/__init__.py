"""Counting scans for people: one link's stats, an article page, the dashboard, CSV."""
