import sys


def two(x): y = x; return y
def three(xs): return sum(v for v in xs)


def main():
    total = 0
    for i in range(3):
        total += two(i)
    total += three([1, 2])
    print("total", total)
    return total


def counted(n):
    a = n
    b = a + 1
    c = b + 1
    d = c + 1
    e = d + 1
    return e


main()
counted(1)
