"""qualcode: coding qualitative interview data, offline, in the terminal."""

__version__ = "0.1.0"
