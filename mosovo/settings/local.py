"""Settings for `make run` on a developer's machine: embedded defaults, demo allowed."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="local-only-insecure-key-0f3c9a7e2b1d4c8e9a6f5b3d2c1e0f9a8b7c6d5e4f3a2b1c",
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
