"""Option groups shared by several commands."""

from __future__ import annotations

import json

import click


def store_options(func):
    func = click.option("--database", envvar="KG_NEO4J_DATABASE", default=None,
                        help="Neo4j database name (Neo4j stores only).")(func)
    func = click.option("--store", "store", envvar="KG_STORE", default=None, metavar="URI",
                        help="Where the graph lives: a folder or embedded://PATH (default ./.kg), "
                             "or bolt://HOST:PORT, neo4j://..., neo4j+s://... with "
                             "NEO4J_USERNAME/NEO4J_PASSWORD from the environment.")(func)
    return func


def parse_params(values: tuple[str, ...]) -> dict:
    """--param k=v pairs; a value that parses as JSON (numbers, lists, true) is taken as such."""
    params = {}
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not of the form key=value", param_hint="--param")
        key, value = item.split("=", 1)
        try:
            params[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            params[key.strip()] = value
    return params
