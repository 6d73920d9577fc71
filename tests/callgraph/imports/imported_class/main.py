from models import User

u = User("ann")
u.rename("bob")
