"""The archive file: a gzip-compressed tar written atomically (private temporary file, then
rename), and read back only after every byte and checksum has been verified."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

from campagne.backup.errors import Refused
from campagne.backup.manifest import MANIFEST, Manifest, sha256


def write_archive(target: Path, manifest: Manifest, members: dict[str, Path]) -> None:
    """Write ``manifest`` then ``members`` (archive name -> file) to ``target``, mode 0600.
    The archive appears whole under its name or not at all."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, manifest.to_json())
                for name, path in sorted(members.items()):
                    info = tar.gettarinfo(str(path), arcname=name)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    info.mode = 0o600
                    with path.open("rb") as handle:
                        tar.addfile(info, handle)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def read_archive(source: Path, folder: Path) -> tuple[Manifest, dict[str, Path]]:
    """Check ``source`` whole (gzip stream, tar layout, members, checksums) and extract its
    members into ``folder``; raise :class:`Refused` on the first fault found."""
    _check_gzip(source)
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            entries = tar.getmembers()
            manifest = Manifest.from_json(_read_member(tar, entries, MANIFEST))
            expected = manifest.expected_members()
            names = {entry.name for entry in entries} - {MANIFEST}
            if names != expected or len(entries) != len(expected) + 1:
                missing = ", ".join(sorted(expected - names)) or "none"
                extra = ", ".join(sorted(names - expected)) or "none"
                raise Refused(f"the archive is damaged: members missing: {missing}; "
                              f"unexpected: {extra}")
            paths = {name: _extract(tar, entries, name, folder) for name in sorted(expected)}
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise Refused(f"the archive is damaged: {exc}") from None
    for name, path in paths.items():
        if manifest.members.get(name) != sha256(path):
            raise Refused(f"the archive is damaged: the checksum of {name} does not match "
                          "its manifest")
    return manifest, paths


def _check_gzip(source: Path) -> None:
    """Read the compressed stream to its end: its CRC and length catch a cut or changed
    file before anything else is believed."""
    try:
        with gzip.open(source, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except FileNotFoundError:
        raise Refused(f"{source}: no such archive") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise Refused(f"the archive is damaged (not a complete gzip file): {exc}") from None


def _regular(entries: list[tarfile.TarInfo], name: str) -> tarfile.TarInfo:
    found = [entry for entry in entries if entry.name == name]
    if len(found) != 1 or not found[0].isfile():
        raise Refused(f"the archive is damaged: no single file named {name}")
    return found[0]


def _read_member(tar: tarfile.TarFile, entries: list[tarfile.TarInfo], name: str) -> bytes:
    handle = tar.extractfile(_regular(entries, name))
    assert handle is not None  # a regular file always has a stream
    return handle.read()


def _extract(tar: tarfile.TarFile, entries: list[tarfile.TarInfo], name: str,
             folder: Path) -> Path:
    """Copy one member to ``folder`` under its own (fixed, trusted) name, never a path
    taken from the archive."""
    handle = tar.extractfile(_regular(entries, name))
    assert handle is not None
    path = folder / name
    with path.open("wb") as out:
        while block := handle.read(1 << 20):
            out.write(block)
    return path
