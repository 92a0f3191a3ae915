import sys              # line 1: the "breakpoint on line 1" row stops here
# bench/dap's program: a dict of 10,000 entries to expand, and a loop
# to step through with "next".


def build(n):
    d = {"key%05d" % i: i for i in range(n)}
    return d            # BREAK-DICT: d holds n entries here


def steps(n):
    total = 0
    for i in range(n):
        total += i      # BREAK-STEP: "next" goes round this loop
        total -= 1
    return total


def main():
    build(10000)        # BREAK-MAIN
    print("total", steps(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))


main()
