"""How ``release-0.1.0.json.gz`` was made: run with the ``python`` of a virtual environment
where release 0.1.0 is installed, outside the repository::

    git archive 985da25^ | tar -x -C /tmp/c010         # the commit of release 0.1.0
    python3 -m venv /tmp/c010.venv && /tmp/c010.venv/bin/pip install /tmp/c010
    cd /tmp/c010-data && CAMPAGNE_LOAD_ENTRY_POINTS=false \\
        /tmp/c010.venv/bin/python export_release_data.py release-0.1.0.json.gz

It fills a new SQLite database the way ``campagne demo`` of that release does (the reference
regions and their synthetic demo data, fixed seed; no real person), then writes every table
as JSON rows (dates and times as ISO strings), gzip-compressed. It imports release 0.1.0's
``campagne``, not this one: it is kept for the record and never run by the suite.
"""

from __future__ import annotations

import datetime
import decimal
import gzip
import json
import sys
from typing import Any

from sqlalchemy import MetaData, create_engine, select

from campagne.cli import _settings, prepare  # release 0.1.0's
from campagne.regions import reference_region_paths

URL = "sqlite:///release-0.1.0.db"


def plain(value: Any) -> Any:
    """A JSON value for a column's value."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def main(target: str) -> None:
    """Fill the database, export it to ``target``."""
    prepare(_settings(URL), reference_region_paths(), with_demo_data=True)
    engine = create_engine(URL)
    metadata = MetaData()
    metadata.reflect(engine)
    tables = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            key = ([column.name for column in table.primary_key.columns]
                   or list(table.columns.keys()))
            rows = [{name: plain(value) for name, value in row.items()}
                    for row in connection.execute(select(table)).mappings()]
            tables[table.name] = sorted(rows, key=lambda row: [str(row[name]) for name in key])
    document = {"release": "0.1.0", "revision": "0008", "tables": tables}
    with gzip.GzipFile(target, "wb", mtime=0) as out:
        out.write(json.dumps(document, sort_keys=True, separators=(",", ":")).encode())


if __name__ == "__main__":
    main(sys.argv[1])
