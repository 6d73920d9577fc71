import re

pattern = re.compile("a+")
pattern.match("aaa")
