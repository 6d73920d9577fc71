from helpers import greet as hello

hello()
