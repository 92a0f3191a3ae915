"""The program ends with sys.exit() raised in a function."""
import sys


def _never():
    pass


def finish(code):
    cleanup = code * 2             # @finish_first
    sys.exit(code)                 # @finish_exit


def main():
    value = 3                      # @main
    try:
        finish(value)              # @main_finish
    finally:
        value = 0                  # @main_finally


main()
