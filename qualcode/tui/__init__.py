"""The Textual terminal UI. Only ``qualcode open`` imports this package."""
