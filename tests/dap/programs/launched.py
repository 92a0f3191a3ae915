# Says how it was launched, on stdout and stderr, then exits with the
# status given as its first argument (no docstring: the first line that
# runs is the import).
import os  # @first
import sys

print("argv=%r" % (sys.argv[1:],))
print("cwd=%s" % os.getcwd())
print("env=%s" % os.environ.get("CPDB_DAP_TEST", "<unset>"))
print("to stderr", file=sys.stderr)
sys.stdout.flush()
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
