import pdb


def work(n):
    total = n * 2
    pdb.set_trace()
    total += 1
    return total


print("result", work(5))
