from middle import action
