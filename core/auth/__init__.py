"""Accounts, roles, sign-in and the audit trail.

- :mod:`campagne.auth.models`: the tables (accounts, their regions, credentials, sign-in
  attempts, audit events);
- :mod:`campagne.auth.passwords`: Argon2 hashing;
- :mod:`campagne.auth.tokens`: API bearer tokens, page sessions and e-mailed links, all
  stored as SHA-256 digests in one table;
- :mod:`campagne.auth.ratelimit`: slowing down repeated failed sign-ins;
- :mod:`campagne.auth.audit`: recording who read or changed what;
- :mod:`campagne.auth.access`: who may do what (roles and region scopes).
"""
