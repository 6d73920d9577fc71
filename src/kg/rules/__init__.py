"""YAML rules holding Cypher, and the engine that runs them (kg audit).

Rules see only the graph, never the AST: they import from kg.queries and kg.model, not
kg.loader (checked by .importlinter).
"""
