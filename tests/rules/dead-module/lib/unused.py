"""Nothing imports this submodule."""  # ruleid: dead-module

X = 1
