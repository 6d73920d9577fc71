import pkg.sub

pkg.sub.work()
