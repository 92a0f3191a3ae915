"""Run the program named by argv[1] (with the rest of argv) as __main__,
with one more thread that sleeps in C all along, as a server's idle
threads do."""
import runpy
import sys
import threading
import time

threading.Thread(target=time.sleep, args=(10**6,), daemon=True).start()
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
