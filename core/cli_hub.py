"""``campagne hub HUB.yaml [--port N]`` serves the network's hub and harvests on a
schedule; ``campagne hub harvest HUB.yaml`` harvests once and prints the outcome."""

from __future__ import annotations

import argparse
from pathlib import Path

from campagne.db import make_engine

USAGE = "campagne hub HUB.yaml [--host H] [--port N] | campagne hub harvest HUB.yaml"


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``hub`` command."""
    hub = commands.add_parser("hub", usage=USAGE,
                              help="serve the network hub, or harvest once (hub harvest)")
    hub.add_argument("words", nargs="+", metavar="[harvest] HUB.yaml")
    hub.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    hub.add_argument("--port", type=int, default=8100, help="port to listen on (8100)")


def run(args: argparse.Namespace) -> int:
    """Run ``hub`` or ``hub harvest``; configuration errors raise ConfigInvalid."""
    from campagne.hub.config import load_hub_config
    from campagne.hub.db import upgrade_hub

    words: list[str] = args.words
    once = words[0] == "harvest" and len(words) == 2
    if len(words) != (2 if once else 1):
        print(f"usage: {USAGE}")
        return 2
    config = load_hub_config(Path(words[-1]))
    engine = make_engine(config.database_url)
    upgrade_hub(engine)
    if once:
        from campagne.hub.harvest import harvest

        results = harvest(engine, config)
        for result in results:
            detail = ", ".join(result.regions) if result.outcome == "ok" else result.error
            print(f"{result.instance}: {result.outcome} in {result.seconds:.2f} s ({detail})")
        return 0 if all(result.outcome == "ok" for result in results) else 1
    import uvicorn

    from campagne.hub.app import create_hub_app

    print(f"Hub of {len(config.instances)} instance(s) on http://{args.host}:{args.port}/")
    uvicorn.run(create_hub_app(config, engine), host=args.host, port=args.port,
                log_level="info", proxy_headers=True, server_header=False)
    return 0
