import helpers

helpers.greet()
