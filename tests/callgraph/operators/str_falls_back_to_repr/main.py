class Point:
    def __repr__(self):
        return "Point()"


class Label:
    def __str__(self):
        return "label"

    def __repr__(self):
        return "Label()"


p = Point()
text = str(p)
shown = f"{Label()}"
