"""Not in the app.cli layer: its name only starts with the same letters."""

HELP = "help"
