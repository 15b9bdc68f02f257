"""``campagne backup`` and ``campagne restore``: one archive holding the database, the
secret key and a manifest that lets a restore check everything before it changes anything
(decision record 0024)."""
