"""Prints what a script sees of how it was started (transparency tests)."""
import os
import sys

print("argv", sys.argv)
print("path0", sys.path[0])
print("file", __file__)
print("name", __name__)
print("package", __package__)
print("cwd", os.getcwd())
print("main module", sys.modules["__main__"].__dict__ is globals())
print("to stderr", file=sys.stderr)
sys.stdout.write("no newline at the end")
if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1].isdigit():
    sys.exit(int(sys.argv[1]))
