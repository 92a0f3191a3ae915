"""Nothing here leaks: "leak hints" must say so."""


def total(values):
    return sum(values)


def main():
    data = [1, 2, 3]
    result = total(data)
    return result               # line 11


main()
