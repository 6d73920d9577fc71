from pkg import sub

sub.work()
