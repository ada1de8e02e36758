"""Links: one short code per normalised article URL, and bulk registration."""
