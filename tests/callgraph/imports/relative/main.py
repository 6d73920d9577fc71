from pkg.api import run

run()
