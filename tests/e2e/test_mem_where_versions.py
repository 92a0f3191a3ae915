"""mem where on objects of six kinds (a plain class's instance, a
__slots__ instance, a list, a dict, bytes, str) made before and after
"mem start", on every supported Python.  tracemalloc's own
get_object_traceback misses a plain instance on 3.11 (it looks 16
bytes into the block, past the managed dict's pre-header), and lists and
dicts reusing memory from CPython's free lists from before tracing."""

from conftest import program, run_cpdb
from transcript import after, prog_path

PROG = prog_path("memwhere.py")
KINDS = ["Plain", "Slotted", "list", "dict", "bytes", "str"]
MADE_AT = [19, 20, 21, 22, 23, 24]


def session(extra):
    """Stop at line 39, "mem start", run to line 43; old (line 34, then
    collected into the oldest generation) and young (line 38) were made
    before, new (line 40) and late (line 42) after."""
    return run_cpdb([program("memwhere.py")],
                    ["break 39", "continue", "mem start", "break 43",
                     "continue"] + extra)


def test_objects_made_after_start_are_found_at_their_line():
    cmds = ["mem where new[%d]" % i for i in range(len(KINDS))]
    r = session(cmds)
    assert len(after(r, "mem start")) == 1, r.out
    for i, kind in enumerate(KINDS):
        out = after(r, cmds[i])
        assert out[0].endswith(" was allocated at:"), (kind, out)
        frames = [l for l in out if l.startswith("  #")]
        assert frames[:2] == ["  #0 %s:%d" % (PROG, MADE_AT[i]),
                              "  #1 %s:40" % PROG], (kind, out)


def test_objects_made_before_start_are_older():
    # young ones too: "mem start" gives their blocks a trace of its own,
    # so that their memory is traced when they are freed and reused
    cmds = ["mem where %s[%d]" % (name, i) for name in ("old", "young")
            for i in range(len(KINDS))]
    r = session(cmds)
    for cmd in cmds:
        out = after(r, cmd)
        assert len(out) == 1 and 'it is older than "mem start"' in out[0], \
            (cmd, out)


def test_a_list_reusing_older_memory_says_why_and_where_its_items_are():
    # 300 lists made before "mem start", old, and freed after it fill
    # the free list of lists with blocks tracemalloc never saw.
    r = session(["mem where late[2]", "mem where late[0]"])
    out = after(r, "mem where late[2]")
    assert out[0] == ('tracemalloc has no trace of list (3 items) [3, 4, 5]: '
                      'it is older than "mem start", or CPython made it '
                      'from its free list of lists, reusing the memory of '
                      'a list allocated before (reuse is no allocation: '
                      'tracemalloc does not see it).'), out
    assert out[1] == "Its item array was allocated (or last resized) at:"
    assert out[2:4] == ["  #0 %s:21" % PROG,
                        "      items = [n, n + 1, n + 2]           # line 21"]
    assert out[4] == "  #1 %s:42" % PROG, out
    # the instance made just before it was traced as usual
    assert after(r, "mem where late[0]")[0].endswith(" was allocated at:")


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
