import thirdparty.sub as sub

sub.run()
