import sys


def square(x):
    # the result is x times x

    result = x * x
    return result


def loop(n):
    acc = []
    for i in range(n):
        acc.append(square(i))
    return acc


def main():
    values = loop(5)
    print("values", values)
    from bppkg import util
    shape = util.Shape(3)
    print("area", shape.area())
    print("helper", util.helper(4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
