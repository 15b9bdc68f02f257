"""Writes the sample spreadsheets of this folder (run it again after changing the rows):
members of the Gers as CSV (UTF-8 with BOM, ``;``) and XLSX, each with a version carrying
one bad row, and inquiries as Windows-1252 CSV with ``,``. Synthetic people only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
MEMBER_HEADERS = ["Nom", "Prénom", "Courriel", "Téléphone", "SIRET", "Code NAF", "Commune",
                  "Date d'arrivée", "Statut"]
MEMBERS = [
    ["Lacoste", "Amélie", "amelie.lacoste@example.org", "05 62 00 00 01", "13243700158505",
     "62.01Z", "Auch", "01/03/2024", "installée"],
    ["Garros", "Éric", "eric.garros@example.org", "+33 6 00 00 00 02", "87590828073433",
     "70.22Z", "Condom", "15/09/2023", "settled"],
    ["Duprat", "Inès", "ines.duprat@example.org", "", "", "74.10Z", "Lectoure", "2025-01-06",
     "en installation"],
    ["Fourcade", "Jean", "jean.fourcade@example.org", "", "71510812706002", "55.20Z", "Mirande",
     "02/02/2022", "installé"],
    ["Soulé", "Marthe", "MARTHE.SOULE@example.org", "", "", "85.59A", "Eauze", "", "prospect"],
]
BAD_SIRET = "71510812706003"  # the check digit of line 5 is wrong in the "bad" files
XLSX_HEADERS = ["Last name", "First name", "E-mail", "Sector", "Commune", "Arrival date",
                "Status"]
XLSX_MEMBERS = [
    ["Abadie", "Louis", "louis.abadie@example.org", "it_internet_ecommerce", "Nogaro",
     dt.date(2024, 5, 2), "settled"],
    ["Barthe", "Chloé", "chloe.barthe@example.org", "Audit, consulting and training",
     "Samatan", dt.date(2025, 2, 17), "settling"],
    ["Castex", "Paul", "paul.castex@example.org", "other", "Gimont", "03/11/2021", "left"],
]
INQUIRY_HEADERS = ["Nom", "Prénom", "E-mail", "Département", "Activité", "Situation",
                   "Étape", "Prochaine action le"]
INQUIRIES = [
    ["Peyré", "Lucie", "lucie.peyre@example.org", "75", "Graphiste", "indépendante", "new",
     "05/12/2026"],
    ["Noël", "Hugo", "hugo.noel@example.org", "69", "Développeur", "salarié", "contacted",
     ""],
]


def write_csv(path: Path, headers: list[str], rows: list[list[str]], *, encoding: str,
              delimiter: str) -> None:
    """One CSV file."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([headers, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    """One workbook: a first sheet of notes, then the members on a sheet named ``Membres``."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Synthetic sample for the tests"])
    sheet = workbook.create_sheet("Membres")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def main() -> None:
    """Write every sample."""
    bad = [row[:] for row in MEMBERS]
    bad[3][4] = BAD_SIRET
    write_csv(HERE / "members.csv", MEMBER_HEADERS, MEMBERS, encoding="utf-8-sig",
              delimiter=";")
    write_csv(HERE / "members_bad.csv", MEMBER_HEADERS, bad, encoding="utf-8-sig",
              delimiter=";")
    bad_xlsx = [row[:] for row in XLSX_MEMBERS]
    bad_xlsx[1][2] = "chloe.barthe(at)example.org"
    write_xlsx(HERE / "members.xlsx", XLSX_HEADERS, XLSX_MEMBERS)
    write_xlsx(HERE / "members_bad.xlsx", XLSX_HEADERS, bad_xlsx)
    write_csv(HERE / "inquiries.csv", INQUIRY_HEADERS, INQUIRIES, encoding="cp1252",
              delimiter=",")


if __name__ == "__main__":
    main()
