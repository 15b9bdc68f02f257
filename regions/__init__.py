"""The reference region folders (Gers, Orne). They are data, read by path; see
docs/decisions/0002-region-folders-by-path.md."""
