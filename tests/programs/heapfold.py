"""A linked list of 200,000 nodes whose tail holds the object to find:
its chain from the module runs .next 199,999 times."""


class Node:
    def __init__(self, nxt, value=None):
        self.next = nxt
        self.value = value


class Target:
    pass


N = 200000
probe = [Target()]
head = Node(None, probe[0])
for _ in range(N - 1):
    head = Node(head)
stop = 1                                            # line 20
