"""The web room: webhooks, the JSON API, health and metrics."""

from ghltt.web.app import create_app

__all__ = ["create_app"]
