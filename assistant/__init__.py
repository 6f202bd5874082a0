"""Dutch-language help-desk assistant for EU programme texts."""

__version__ = "0.1.0"
