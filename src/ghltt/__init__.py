"""ghltt: real-time, lossless, two-way sync between GoHighLevel and TrackingTime."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ghltt")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"
