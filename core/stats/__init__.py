"""Open statistics of a region: indicators computed from the database, disclosure
control so that no published figure concerns fewer people than a threshold, and the
versioned schema they are published in (see docs/statistics.md)."""
