"""Accounts, roles, sign-in and the audit trail.

- :mod:`campagne.auth.models`: the tables (accounts, their regions, credentials, sign-in
  attempts, audit events);
- :mod:`campagne.auth.passwords`: Argon2 hashing;
- :mod:`campagne.auth.tokens`: API bearer tokens, page sessions and e-mailed links, all
  stored as SHA-256 digests in one table;
- :mod:`campagne.auth.signin`: signing in with a password (the API and the page);
- :mod:`campagne.auth.throttle`: counting sign-in attempts by account and address;
- :mod:`campagne.auth.ratelimit`: a few reset e-mails or sign-ups per key and window;
- :mod:`campagne.auth.production`: what production mode refuses to start with;
- :mod:`campagne.auth.audit`: recording who read or changed what;
- :mod:`campagne.auth.access`: who may do what (roles and region scopes).
"""
