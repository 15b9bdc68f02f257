"""Spreadsheets in and out: members and inquiries of a region imported from CSV or XLSX files
(with a column mapping step, every row validated, all or nothing, idempotent re-import) and
exported as CSV or XLSX (escaped against formula injection, audited).

- :mod:`campagne.sheets.fields`: the columns a kind of record has, their header synonyms and
  the automatic mapping of a file's headers;
- :mod:`campagne.sheets.reading`: reading a CSV or XLSX file within limits;
- :mod:`campagne.sheets.checks`: checking one value (e-mail, SIRET, sector, date...);
- :mod:`campagne.sheets.validation`: checking every row of a file;
- :mod:`campagne.sheets.importer`: writing the rows in one transaction, with the report;
- :mod:`campagne.sheets.exporter`: the filtered lists as CSV or XLSX;
- :mod:`campagne.sheets.uploads`: the uploaded file kept during the mapping step.
"""
