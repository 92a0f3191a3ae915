def add(items):
    items.append(1)


def main():
    data = []
    add(data)
    add(data)
    return data


main()
