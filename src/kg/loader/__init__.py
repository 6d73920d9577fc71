"""astroid -> facts. Parses the target (never importing or running it) and extracts the graph."""

from kg.loader.extract import Extraction, extract

__all__ = ["Extraction", "extract"]
