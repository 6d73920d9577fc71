import helpers as h

h.greet()
