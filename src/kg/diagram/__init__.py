"""Diagrams drawn from the graph: a command's path, the import graph, a class.

Each builder reads rows through kg.queries.paths, assembles a `Diagram` in
Python and leaves DOT text to kg.diagram.dot; kg.diagram.render writes the
file and calls Graphviz's `dot` for SVG or PNG.
"""
