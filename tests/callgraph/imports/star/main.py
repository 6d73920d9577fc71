from helpers import *

greet()
