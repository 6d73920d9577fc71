from back import action
