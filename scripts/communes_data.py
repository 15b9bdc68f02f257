"""Write the commune and département tables of the move simulator's starting points.

From the data of the npm package ``@etalab/decoupage-administratif`` (INSEE's Code
officiel géographique, legal populations, and La Poste's postcodes; data under the
Licence Ouverte / Etalab), this writes ``core/data/departements.tsv`` (the 101
départements of mainland France and the overseas départements, with their prefecture)
and ``core/data/communes.tsv.gz`` (every current commune of those départements: INSEE
code, name, postcodes, population). Regenerate with:

    npm pack @etalab/decoupage-administratif@6.0.0
    tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python scripts/communes_data.py package/data

See docs/decisions/0032-simulator-starting-points.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "core" / "data"
ZONES = {"metro", "drom"}


def main() -> None:
    """Read ``communes.json`` and ``departements.json`` of DATA and write the two tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the package's data/ folder")
    args = parser.parse_args()
    communes = json.loads((args.data / "communes.json").read_text("utf-8"))
    departments = json.loads((args.data / "departements.json").read_text("utf-8"))
    kept = [c for c in communes if c["type"] == "commune-actuelle" and c["zone"] in ZONES]
    names = {c["code"]: c["nom"] for c in kept}
    with (OUT / "departements.tsv").open("w", encoding="utf-8", newline="\n") as out:
        out.write("# code\tname\tprefecture code\tprefecture (INSEE COG via "
                  "@etalab/decoupage-administratif 6.0.0, Licence Ouverte)\n")
        for d in departments:
            if d["zone"] in ZONES:
                out.write(f"{d['code']}\t{d['nom']}\t{d['chefLieu']}\t{names[d['chefLieu']]}\n")
    lines = ["# code\tname\tpostcodes\tpopulation (INSEE COG, La Poste, via "
             "@etalab/decoupage-administratif 6.0.0, Licence Ouverte)"]
    lines += [f"{c['code']}\t{c['nom']}\t{' '.join(c.get('codesPostaux', []))}\t"
              f"{c.get('population') or 0}" for c in sorted(kept, key=lambda c: c["code"])]
    # mtime=0: the same data gives the same bytes.
    with gzip.GzipFile(OUT / "communes.tsv.gz", "wb", mtime=0) as raw:
        raw.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{len(kept)} communes, {sum(d['zone'] in ZONES for d in departments)} départements")


if __name__ == "__main__":
    main()
