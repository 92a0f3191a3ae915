"""A loop over a function, for conditions, hit counts, logpoints and
function breakpoints."""


def compute(i):
    square = i * i  # @compute-body
    return square


def main():
    total = 0
    for i in range(10):
        total += compute(i)  # @loop-call
    print("total", total)  # @loop-end


main()
