"""reader: read news articles in the terminal with their named entities highlighted."""

__version__ = "0.1.0"
