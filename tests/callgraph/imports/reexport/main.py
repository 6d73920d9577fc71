from pkg import tool

tool()
