"""`python -m pkg`: never reported."""  # ok: dead-module

from pkg.cli import main

main()
