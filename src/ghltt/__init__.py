"""ghltt."""
