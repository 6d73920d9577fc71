class Queue:
    def __len__(self):
        return 0


q = Queue()
len(q)
