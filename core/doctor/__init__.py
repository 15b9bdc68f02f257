"""``campagne doctor``: check a deployment and say what is wrong and how to fix it.

Each module checks one thing and returns :class:`~campagne.doctor.finding.Finding` lines
(OK, WARN or FAIL, what was found, the fix); :mod:`campagne.doctor.run` runs them in order,
each contained, and :mod:`campagne.doctor.cli` prints them, as text or JSON, and exits 0
only when every line is OK."""
