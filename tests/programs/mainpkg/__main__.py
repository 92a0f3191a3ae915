import sys

from mainpkg import VERSION

print("pkg main", __name__, __package__, VERSION)
print("argv", sys.argv[1:])
sys.exit(5)
