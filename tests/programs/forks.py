import os, sys, multiprocessing

def work(x):
    return x * x        # line 4

if __name__ == "__main__":
    pid = os.fork()
    if pid == 0:
        print("child", work(3))
        sys.exit(7)
    _, st = os.waitpid(pid, 0)
    print("child status", os.waitstatus_to_exitcode(st))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as p:
        print(p.map(work, [1, 2, 3]))
    print("parent", work(4))
