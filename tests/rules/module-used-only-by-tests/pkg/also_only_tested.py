"""Only a test imports this module, with `import ... as` inside a test function."""  # ruleid: module-used-only-by-tests

VALUE = 4
