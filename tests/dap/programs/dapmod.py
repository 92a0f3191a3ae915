"""Run with launch {module: "dapmod"}: says its name and arguments."""
import sys

print("module=%s argv=%r" % (__name__, sys.argv[1:]))  # @mod-print
