"""kg: a code knowledge graph for auditing Python codebases."""

__version__ = "0.1.0"
