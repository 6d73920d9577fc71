from pkg.sub.mod import go

go()
