"""The bottom layer, a package: its submodules are in it too."""
