import host

def work(n):
    total = 0
    for i in range(n):
        total += i
    host.checkpoint()
    return total

print("result", work(4))
