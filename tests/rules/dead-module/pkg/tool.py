"""Holds a console script's function (pyproject [project.scripts])."""  # ok: dead-module

import library


def main():
    return library.Y
