from pkg.impl import tool
