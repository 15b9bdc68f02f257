"""Reading a multipart form as it streams past, to find a text field (or a file name) that
holds a forbidden character, without holding any file (see :mod:`campagne.web.request_guard`).

The parts are split by python-multipart, the parser Starlette's forms use; names and values
are decoded as Starlette decodes them (the form's charset, else Latin-1)."""

from __future__ import annotations

import codecs
from collections.abc import Callable

from python_multipart.multipart import MultipartParser, parse_options_header


def _decode(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class MultipartWatch:
    """Fed the chunks of a multipart body, tells the first field whose name, value (text
    fields) or file name is ``refused``."""

    def __init__(self, boundary: bytes, charset: str, refused: Callable[[str], bool]) -> None:
        self.charset = charset
        self.refused = refused
        self.found: str | None = None
        self._header = [b"", b""]
        self._disposition = b""
        self._name = ""
        self._text: bytearray | None = None  # None while in a file
        self._parser: MultipartParser | None = MultipartParser(boundary, callbacks={
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._data,
            "on_part_end": self._end})

    @classmethod
    def for_content_type(cls, content_type: str,
                         refused: Callable[[str], bool]) -> MultipartWatch | None:
        """A watch for a body of this ``Content-Type`` (``None`` without a boundary: the
        application then refuses the body itself)."""
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary:
            return None
        charset = options.get(b"charset", b"utf-8").decode("latin-1")
        try:
            charset = codecs.lookup(charset).name
        except LookupError:
            charset = "latin-1"
        return cls(boundary, charset, refused)

    def feed(self, chunk: bytes) -> str | None:
        """Read one more chunk; the name of the first refused field, once found."""
        if self._parser is not None and self.found is None and chunk:
            try:
                self._parser.write(chunk)
            except Exception:  # noqa: BLE001 - a malformed body is the application's to refuse
                self._parser = None
        return self.found

    def _check(self, text: str) -> None:
        if self.found is None and self.refused(text):
            self.found = self._name

    def _begin(self) -> None:
        self._disposition, self._name, self._text = b"", "", None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header[0] += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._header[1] += data[start:end]

    def _header_end(self) -> None:
        if self._header[0].lower() == b"content-disposition":
            self._disposition = self._header[1]
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = _decode(options.get(b"name", b""), self.charset)
        self._check(self._name)
        if b"filename" in options:
            self._check(_decode(options[b"filename"], self.charset))
        else:
            self._text = bytearray()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._text is not None:
            self._text += data[start:end]

    def _end(self) -> None:
        if self._text is not None:
            self._check(_decode(bytes(self._text), self.charset))
