"""Jinja2 pages, CSS and JavaScript of the preview (data files; a package so they ship)."""
