"""Clients for the remote APIs (GHL, TrackingTime) over shared HTTP plumbing (``http``)."""
