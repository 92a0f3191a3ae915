import threading


def work(tag):
    value = tag * 2
    return value


def worker(results):
    results.append(work(10))


def main():
    results = []
    t = threading.Thread(target=worker, args=(results,))
    t.start()
    t.join()
    results.append(work(1))
    print("results", results)


main()
