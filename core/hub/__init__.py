"""The network hub: harvests the open statistics of member instances over HTTP, keeps
every snapshot in its own database and serves the comparison (see docs/hub.md)."""
