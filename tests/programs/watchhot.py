def hot(x):
    a = x + 1
    b = a * 2
    return b


def run():
    flag = "off"
    total = 0
    for i in range(2000):
        total += hot(i)
    flag = "on"
    return total


print(run())
