import sys


def work(n):
    total = n * 2
    breakpoint()
    total += 1
    return total


print("argv", sys.argv[1:])
print("result", work(5))
