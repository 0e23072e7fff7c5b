"""Render our own Django templates to PDF with WeasyPrint, safely.

Security rules (docs: security.md section 4):

- Only our templates are rendered, with Django autoescaping on, so user text can
  never become markup (no ``<img>``, ``<link>`` or ``<style>`` out of a free-text
  field).
- Every resource WeasyPrint wants (stylesheets, images, fonts, attachments) goes
  through :class:`StaticOnlyFetcher`, which serves our static files and
  caller-built ``data:image/png|jpeg;base64`` URIs, and refuses everything else:
  no ``file:``, no network, no redirects. WeasyPrint leaves a refused resource out
  and carries on.
- No attachments are embedded.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Pseudo-origin the document is rendered at. Relative URLs such as
# ``/static/css/pdf.css`` (what ``{% static %}`` produces) resolve against it, so
# WeasyPrint never turns them into ``file:`` URLs (a relative base URL like "/"
# would otherwise become ``file:///``). Nothing is ever fetched from it: the
# fetcher maps it to our static files and never opens a connection.
INTERNAL_ORIGIN = "https://mosovo-pdf.invalid"

# Caller-built images: the only data: URIs accepted, with the magic bytes each
# must start with.
_DATA_IMAGE_RE = re.compile(r"^data:(image/png|image/jpeg);base64,(.*)$", re.IGNORECASE | re.DOTALL)
_IMAGE_MAGIC = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
MAX_DATA_IMAGE_BYTES = 10 * 1024 * 1024

# Static file types a PDF template may use.
_STATIC_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


class PdfFetchRefused(ValueError):
    """The fetcher refused a URL (WeasyPrint logs it and leaves the resource out)."""


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint URL fetcher that serves only our static files and data images.

    Accepted:

    - ``/static/<path>`` or ``https://mosovo-pdf.invalid/static/<path>`` (the
      internal origin, see :data:`INTERNAL_ORIGIN`), resolved with
      ``django.contrib.staticfiles.finders.find``; no ``..``, no backslashes, no
      NUL, only known static file types, and the file must lie inside a static
      directory after symlinks are resolved;
    - ``data:image/png;base64,...`` and ``data:image/jpeg;base64,...`` whose bytes
      really are a PNG / JPEG.

    Everything else (``file:``, ``http:``, other ``https:``, ``ftp:``, other
    ``data:``...) raises :class:`PdfFetchRefused`. Nothing is ever opened over the
    network, so there are no redirects to follow.
    """

    def __init__(self, **kwargs: Any) -> None:
        # Belt and braces: the parent's urllib machinery is never used by fetch(),
        # but if it were, it would allow no protocol and follow no redirect.
        kwargs.update(allowed_protocols=(), allow_redirects=False, timeout=1, fail_on_errors=False)
        super().__init__(**kwargs)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not isinstance(url, str):
            raise PdfFetchRefused("URL must be a string")
        if url[:5].lower() == "data:":
            return self._fetch_data_image(url)
        return self._fetch_static(url)

    # data: images built by the caller
    def _fetch_data_image(self, url: str) -> URLFetcherResponse:
        match = _DATA_IMAGE_RE.match(url)
        if match is None:
            raise PdfFetchRefused("Only data:image/png and data:image/jpeg base64 URIs are allowed")
        mime_type = match.group(1).lower()
        payload = unquote(match.group(2))
        if len(payload) > MAX_DATA_IMAGE_BYTES * 4 // 3 + 4:
            raise PdfFetchRefused("Data image too large")
        try:
            body = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PdfFetchRefused("Invalid base64 in data image") from exc
        if not body.startswith(_IMAGE_MAGIC[mime_type]):
            raise PdfFetchRefused(f"Data image is not a {mime_type}")
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    # our static files
    def _fetch_static(self, url: str) -> URLFetcherResponse:
        name = self._static_name(url)
        found = finders.find(name)
        if not found:
            # Manifest storage (production) hashes names: css/pdf.3f2a.css
            hashed_files = getattr(staticfiles_storage, "hashed_files", None) or {}
            originals = {hashed: original for original, hashed in hashed_files.items()}
            original = originals.get(name)
            if original and original != name:
                found = finders.find(original)
        if not found or not isinstance(found, str):
            raise PdfFetchRefused(f"Static file not found: {name}")
        path = Path(os.path.realpath(found))
        if not path.is_file() or not any(_is_within(path, root) for root in _static_roots()):
            raise PdfFetchRefused(f"Static file outside the static directories: {name}")
        mime_type = _STATIC_TYPES.get(path.suffix.lower())
        if mime_type is None:
            raise PdfFetchRefused(f"Static file type not allowed: {name}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    @staticmethod
    def _static_name(url: str) -> str:
        """The static file name a URL asks for, or refuse."""
        if any(char in url for char in ("\\", "\x00")):
            raise PdfFetchRefused("Backslash or NUL in URL")
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise PdfFetchRefused("Malformed URL") from exc
        origin = urlsplit(INTERNAL_ORIGIN)
        is_relative = not parts.scheme and not parts.netloc
        is_internal = parts.scheme == origin.scheme and parts.netloc == origin.netloc
        if not (is_relative or is_internal):
            raise PdfFetchRefused(f"URL not allowed: {url}")
        path = unquote(parts.path)
        static_url = str(settings.STATIC_URL)
        if urlsplit(static_url).netloc or not path.startswith(static_url):
            raise PdfFetchRefused(f"Not a static URL: {url}")
        name = path[len(static_url) :]
        segments = name.split("/")
        if not name or any(segment in ("", ".", "..") for segment in segments):
            raise PdfFetchRefused(f"Bad static path: {url}")
        if any(char in name for char in ("\\", "\x00")):
            raise PdfFetchRefused("Backslash or NUL in static path")
        if Path(name).suffix.lower() not in _STATIC_TYPES:
            raise PdfFetchRefused(f"Static file type not allowed: {url}")
        return name


def _is_within(path: Path, root: Path) -> bool:
    try:
        return os.path.commonpath([path, root]) == str(root)
    except ValueError:
        return False


def _static_roots() -> list[Path]:
    """Real paths of every directory the staticfiles finders search."""
    roots: list[Path] = []
    for finder in finders.get_finders():
        for _prefix, root in getattr(finder, "locations", []):
            roots.append(Path(os.path.realpath(root)))
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(os.path.realpath(location)))
    return roots


def render_pdf(*, template: str, context: dict[str, Any], base_url: str = "/") -> bytes:
    """Render one of our templates (autoescaped) to PDF bytes.

    ``base_url`` is a path on our site (default "/"); relative URLs in the
    template resolve against it. Images go in the context as ``data:`` URIs built
    by the caller (``data:image/png;base64,...`` or ``data:image/jpeg;...``).
    """
    if urlsplit(base_url).scheme or urlsplit(base_url).netloc:
        raise ValueError("base_url must be a path on our site, not an absolute URL")
    html = render_to_string(template, context)
    document = HTML(
        string=html,
        base_url=urljoin(INTERNAL_ORIGIN + "/", base_url),
        url_fetcher=StaticOnlyFetcher(),
    )
    pdf = document.write_pdf(attachments=[])
    if not isinstance(pdf, bytes):  # write_pdf() without a target returns bytes
        raise TypeError("WeasyPrint returned no PDF bytes")
    return pdf
