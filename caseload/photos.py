"""RSO photos on disk: checking, re-encoding, storing and reading them.

An upload is never stored as sent. It must decode with Pillow as a JPEG, PNG or WebP
image; it is then redrawn onto a fresh canvas and saved as a JPEG of at most
``PHOTO_MAX_SIDE`` pixels a side, so no EXIF (GPS position, camera serial), comment, ICC
or XMP data survives. Stored names are random (``secrets.token_hex``), kept in
``RSO.photo`` and only ever read back through the scoped, audited photo view; nothing
is served by a path taken from a request.
"""

from __future__ import annotations

import os
import re
import secrets
import warnings
from io import BytesIO
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

PHOTO_MAX_BYTES: Final = 5 * 1024 * 1024  # the upload limit (security.md s.4)
PHOTO_MAX_SIDE: Final = 1200  # pixels, longest side, after re-encoding
PHOTO_FORMATS: Final = ("JPEG", "PNG", "WEBP")
PHOTO_JPEG_QUALITY: Final = 85
_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")

NOT_AN_IMAGE: Final = "The selected file must be a JPG, PNG or WebP photo"
TOO_LARGE: Final = "The selected file must be smaller than 5 MB"
EMPTY: Final = "The selected file is empty"


def photo_dir() -> Path:
    """Return the folder photos are kept in (``MEDIA_ROOT/photos``)."""
    return Path(os.fspath(settings.MEDIA_ROOT)) / "photos"


def _path_for(name: str) -> Path | None:
    # Names come from our own database column, but check their shape anyway: a name that
    # is not one we made is never turned into a path.
    if not _NAME.match(name):
        return None
    return photo_dir() / name


def reencode(data: bytes) -> bytes:
    """Check that ``data`` is a JPEG, PNG or WebP image and return it as a clean JPEG.

    Raises ``ValidationError({"photo": ...})`` for anything that is not such an image,
    including decompression bombs.
    """
    if not data:
        raise ValidationError({"photo": EMPTY})
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": TOO_LARGE})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=PHOTO_FORMATS) as probe:
                probe.verify()
            # verify() leaves the image unusable: open it again to decode the pixels.
            with Image.open(BytesIO(data), formats=PHOTO_FORMATS) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
                if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
                    rgba = image.convert("RGBA")
                    flattened = Image.new("RGB", rgba.size, "white")
                    flattened.paste(rgba, mask=rgba.getchannel("A"))
                    rgb = flattened
                else:
                    rgb = image.convert("RGB")
                rgb.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
                # A fresh canvas carries none of the source's metadata (EXIF, comments,
                # ICC profile, XMP), whatever Pillow would otherwise copy across.
                clean = Image.new("RGB", rgb.size)
                clean.paste(rgb)
    except ValidationError:
        raise
    except Exception:
        # Pillow reports undecodable input through many exception types (OSError,
        # SyntaxError, ValueError, struct.error, DecompressionBombError...): any of them
        # means this is not a photo we can use.
        raise ValidationError({"photo": NOT_AN_IMAGE}) from None
    out = BytesIO()
    clean.save(out, "JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    return out.getvalue()


def store(jpeg: bytes) -> str:
    """Write a re-encoded photo under a new random name and return the name."""
    directory = photo_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{secrets.token_hex(16)}.jpg"
    path = directory / name
    # O_EXCL: never overwrite an existing file, however unlikely a clash of names.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(jpeg)
    return name


def remove(name: str) -> None:
    """Delete a stored photo, if it is there."""
    path = _path_for(name) if name else None
    if path is not None:
        path.unlink(missing_ok=True)


def read(name: str) -> bytes | None:
    """Return a stored photo's bytes, or None if there is no such photo."""
    path = _path_for(name) if name else None
    if path is None:
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
