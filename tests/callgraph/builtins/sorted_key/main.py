def by_length(s):
    return len(s)


words = sorted(["aa", "b"], key=by_length)
