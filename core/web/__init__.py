"""Server-rendered pages (Jinja2), usable without JavaScript."""
