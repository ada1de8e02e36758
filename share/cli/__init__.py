"""Command-line tools (``flask --app app …``), wired in one place."""
