from front import action

action()
