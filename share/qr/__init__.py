"""QR codes: the symbol, its PNG and SVG writers, and the rendered-image cache."""
