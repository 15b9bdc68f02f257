"""``manifest.json``: what an archive holds and what the database held when it was made."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from campagne.backup.errors import Refused

#: The layout of archives this release writes and reads.
FORMAT = 1
MANIFEST = "manifest.json"
SECRET_KEY = "secret_key"  # noqa: S105 (a member's name)
#: The member holding the database, by database kind.
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@dataclass(frozen=True)
class DatabaseFacts:
    """Where a database's schema stood and how many rows each table held, read in the same
    snapshot as the copy."""

    revision: str | None
    plugins: dict[str, list[str]]
    tables: dict[str, int]


@dataclass(frozen=True)
class Manifest:
    """The archive's description (``manifest.json``)."""

    campagne_version: str
    database: str
    revision: str | None
    created: str
    tables: dict[str, int]
    members: dict[str, str]
    plugins: dict[str, list[str]] = field(default_factory=dict)
    schema: str | None = None
    format: int = FORMAT

    def to_json(self) -> bytes:
        """The manifest as written into the archive."""
        return (json.dumps(asdict(self), indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Read a manifest; a malformed one is refused as a damaged archive."""
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise Refused(f"the archive's format ({data.get('format')!r}) is not this "
                              f"release's ({FORMAT}): restore it with the release that made it")
            manifest = cls(**data)
        except (ValueError, TypeError, AttributeError) as exc:
            raise Refused(f"the archive is damaged: its {MANIFEST} cannot be read ({exc})") \
                from None
        if manifest.database not in DATABASE_MEMBERS:
            raise Refused(f"the archive is damaged: unknown database kind {manifest.database!r}")
        return manifest

    def expected_members(self) -> set[str]:
        """The members besides the manifest an intact archive of this kind holds."""
        return {DATABASE_MEMBERS[self.database], SECRET_KEY}


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hexadecimal."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def as_dict(facts: DatabaseFacts) -> dict[str, Any]:
    """The facts as the manifest's fields."""
    return {"revision": facts.revision, "plugins": facts.plugins, "tables": facts.tables}
