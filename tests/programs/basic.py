import sys


def add(a, b):
    c = a + b
    return c


def main(n):
    total = 0
    for i in range(n):
        total = add(total, i)
    print("total", total)
    return total


if __name__ == "__main__":
    result = main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    sys.exit(result % 256)
