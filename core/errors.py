"""Errors that point at a place in a file, so users can fix them without a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ConfigError:
    """One problem in a configuration or plug-in file, with its position (1-based).

    ``traceback`` holds the formatted traceback of an exception behind the problem (a
    plug-in that failed to import), shown by ``campagne check --verbose`` only."""

    file: Path
    line: int
    column: int
    message: str
    traceback: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ConfigInvalid(Exception):
    """Raised when a region folder holds one or more errors; carries all of them."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))
