"""A scan, from the redirect to the stored row: who scanned, whether it counts, opens."""
