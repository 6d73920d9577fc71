"""The command line: parses options, calls one kg.api function, prints."""
