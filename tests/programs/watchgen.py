def gen():
    seen = []
    for i in range(3):
        seen.append(i)
        yield i
    seen.append("end")


def main():
    out = []
    for v in gen():
        out.append(v)
    return out


main()
