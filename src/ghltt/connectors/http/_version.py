"""The User-Agent every connector sends, naming ghltt and its version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["USER_AGENT", "ghltt_version"]


def ghltt_version() -> str:
    try:
        return version("ghltt")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


USER_AGENT = f"ghltt/{ghltt_version()}"
