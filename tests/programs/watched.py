CACHE = {}


def inner(n):
    k = n * 2
    return k


def outer():
    acc = []
    for i in range(3):
        acc.append(inner(i))
    return acc


def counter():
    total = 0
    items = [1]
    table = {"a": 1}
    for step in range(3):
        total += step
        items.append(step)
    table["b"] = 2
    items[0] = 10
    total = total
    return total


def deep():
    level = 1
    level = 2
    return level


def main():
    outer()
    counter()
    deep()
    CACHE["k"] = 1
    print("done")


main()
