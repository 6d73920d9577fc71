words = " ".join(["a", "b"])
parts = words.split(" ")
parts.append("c")
table = {"k": 1}
table.get("k")
