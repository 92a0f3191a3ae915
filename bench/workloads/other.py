"""A module the workloads import: the breakpoint "in another file"."""


def never():
    return 0        # BREAK-OTHER: never reached
