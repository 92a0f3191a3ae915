def inner(v):
    w = v + 1
    return w * 10


def outer(n):
    total = 0
    for i in range(n):
        total += inner(i)
    extra = total + 1
    return extra


def main():
    result = outer(3)
    print("result", result)
    done = True
    return done


main()
print("end")
