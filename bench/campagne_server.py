"""Serve a Campagne demo instance for the benchmark: the reference regions with their
generated members, on a SQLite database in the given folder, under uvicorn (one worker).

It is what ``campagne demo`` serves, built with the same ``prepare`` function, except that
uvicorn writes no access log (the baseline writes none either) and installed plug-in
packages are not loaded (the figures depend on this source tree only)::

    python bench/campagne_server.py --folder /tmp/somewhere --port 8000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

from campagne.app import create_app
from campagne.cli import prepare
from campagne.regions import reference_region_paths
from campagne.settings import CampagneSettings


def main() -> int:
    """Prepare the demo instance in ``--folder`` and serve it on loopback."""
    parser = argparse.ArgumentParser(description="Serve a Campagne demo instance (benchmark).")
    parser.add_argument("--folder", type=Path, required=True,
                        help="where the SQLite database and the secret key are written")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    folder: Path = args.folder.resolve()
    settings = CampagneSettings(
        database_url=f"sqlite:///{folder / 'campagne-demo.db'}",
        secret_key_file=str(folder / "campagne-secret.key"),
        load_entry_points=False,
        production=False,
    )
    instance = prepare(settings, reference_region_paths(), with_demo_data=True)
    uvicorn.run(create_app(instance), host="127.0.0.1", port=args.port, workers=1,
                log_level="warning", access_log=False, server_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
