"""Cold answers without the snapshot's reverse references: gc chain OBJ to
TARGET and the chain from a stopped frame's variable (the search from
both ends, heap/meet.c), and gc graph OBJ backrefs (a pass over the
heap per depth).  They find what the reverse references find, and more:
the holders of an object the collector does not track."""

import re

from conftest import run_cpdb
from transcript import after, error_lines

PROGRAM = """\
import gc
import weakref

class Record:
    def __init__(self, i):
        self.value = [i]

class Holder:
    pass

class Link:
    def __init__(self, nxt):
        self.next = nxt

def inner(local_list):
    breakpoint()
    breakpoint()
    breakpoint()
    return local_list

def main():
    app = {"items": [Record(i) for i in range(20000)],
           "nest": {"deep": [[Holder()]]}}
    head = None
    for _ in range(300):
        head = Link(head)
    chain_box = Holder()
    chain_box.head = head
    node = head
    for _ in range(100):
        node = node.next
    deep_ref = weakref.ref(node)
    del node
    box = Holder()
    box.payload = ("tag", b"y" * 1000)
    DATA.append(box)
    inner([app["nest"]])
    return app, chain_box

DATA = []
FILLER = [{"t": ([i], i)} for i in range(20000)]
main()
print("done", len(DATA))
"""


def session(tmp_path, commands):
    prog = tmp_path / "cold.py"
    prog.write_text(PROGRAM)
    # up: the expressions are main()'s
    return run_cpdb([str(prog)], ["continue", "up"] + commands + ["quit"],
                    timeout=120)


def chain_line(lines):
    text = [l for l in lines if "->" in l]
    assert len(text) == 1, lines
    return text[0].strip()


def assert_folded_chain(lines, start):
    """A chain from start through the 100 links to deep_ref()'s, the
    middle of the run folded."""
    line = chain_line(lines)
    assert lines[0] == "Chain of 101 references:", lines
    assert line.startswith(start + "__main__.Link .next -> "), line
    assert "__main__.Link .next × 94 -> " in line, line


def test_chain_to_a_target_from_an_untracked_object(tmp_path):
    # Before, a bytes with a target was refused: the snapshot has no
    # index for an object the collector does not track.
    r = session(tmp_path, ["gc chain box.payload[1] to DATA",
                           "gc chain box.payload[1] to box",
                           "gc chain DATA to box",
                           "gc chain DATA to 42"])
    assert re.match(r"list \[0\] -> __main__\.Holder \.payload -> tuple "
                    r"\[1\] -> bytes b'yyyy",
                    chain_line(after(r, "gc chain box.payload[1] "
                                        "to DATA"))), r.out
    assert chain_line(after(r, "gc chain box.payload[1] to "
                               "box")).startswith(
        "__main__.Holder .payload -> tuple [1] -> bytes"), r.out
    lines = after(r, "gc chain DATA to box")
    assert lines[0].startswith("No chain of references leads from the "
                               "target to list"), lines
    assert after(r, "gc chain DATA to 42") == [], r.out
    assert error_lines(r) == [
        "The garbage collector does not track the target: give one it "
        "tracks (a module, a class, an instance, a list)."], r.err


def test_chain_to_a_target_is_the_shortest(tmp_path):
    r = session(tmp_path, [
        'gc chain app["nest"]["deep"][0][0] to app',
        "gc chain deep_ref() to chain_box"])
    assert chain_line(after(r, 'gc chain app["nest"]["deep"][0][0] '
                               'to app')).startswith(
        "dict ['nest'] -> dict ['deep'] -> list [0] -> list [0] -> "
        "<__main__.Holder object"), r.out
    assert_folded_chain(after(r, "gc chain deep_ref() to chain_box"),
                        "__main__.Holder .head -> ")


def test_chain_from_a_stopped_frames_variable(tmp_path):
    # No module holds these: the modules lead nowhere near them, and the
    # search goes on from the stopped frames' variables.  The nearest
    # variable wins: inner()'s local_list is one reference nearer
    # Holder than main()'s app.
    r = session(tmp_path, [
        'gc chain app["nest"]["deep"][0][0]',
        "gc chain deep_ref()",
        "gc chain app['items'][5].value"])
    line = chain_line(after(r, 'gc chain app["nest"]["deep"][0][0]'))
    assert line.startswith("frame #0 inner() variable 'local_list' -> "
                           "list [0] -> dict ['deep'] -> list [0] -> list "
                           "[0] -> <__main__.Holder object"), line
    assert_folded_chain(after(r, "gc chain deep_ref()"),
                        "frame #1 main() variable 'head' -> ")
    line = chain_line(after(r, "gc chain app['items'][5].value"))
    assert line.startswith("frame #1 main() variable 'app' -> dict "
                           "['items'] -> list [5] -> __main__.Record "
                           ".value -> list"), line


def dot_edges(path):
    """The edges of a DOT file, with its objects named by their labels'
    first line (the type) and position: addresses left out."""
    text = path.read_text()
    labels = dict(re.findall(r'^  (n\d+) \[label="([^\\"]*)', text, re.M))
    edges = re.findall(r'^  (n\d+) -> (n\d+) \[label="(.*)"\];$', text,
                       re.M)
    holders = re.findall(r'^  v\d+ \[label="([^"]*)"', text, re.M)
    return sorted((labels[a], labels[b], name) for a, b, name in edges), \
        sorted(holders)


def test_graph_of_backrefs_without_reverse_references(tmp_path):
    # Cold, each depth is a pass over the heap; at the same stop after
    # a deeper graph built the reverse references, the same drawing
    # comes from them.
    cold = tmp_path / "cold.dot"
    deep = tmp_path / "deep.dot"
    warm = tmp_path / "warm.dot"
    r = session(tmp_path, [
        "gc graph DATA[0] backrefs %s" % cold,
        "gc graph DATA[0] backrefs depth 6 %s" % deep,
        "gc graph DATA[0] backrefs %s" % warm])
    assert "Graph of 4 objects" in after(
        r, "gc graph DATA[0] backrefs %s" % cold)[0], r.out
    assert dot_edges(cold) == dot_edges(warm), (cold.read_text(),
                                                warm.read_text())
    edges, _ = dot_edges(cold)
    assert ("list", "__main__.Holder", "[0]") in edges, edges
    assert ("dict", "list", "['DATA']") in edges, edges
    assert ("module", "dict", ".__dict__") in edges, edges


def test_graph_of_backrefs_of_an_untracked_object(tmp_path):
    # A bytes: before, the drawing held the bytes alone (the reverse
    # references know only tracked objects).
    out = tmp_path / "bytes.dot"
    local = tmp_path / "local.dot"
    r = session(tmp_path, [
        "gc graph box.payload[1] backrefs depth 4 %s" % out,
        "gc graph app['nest'] backrefs depth 1 %s" % local])
    first = after(r, "gc graph box.payload[1] backrefs depth 4 %s" % out)
    assert re.match(r"Graph of [5-9] objects", first[0]), r.out
    edges, holders = dot_edges(out)
    assert ("tuple", "bytes", "[1]") in edges, edges
    # 3.10: the instance's __dict__ is an object of its own
    assert ("__main__.Holder", "tuple", ".payload") in edges \
        or ("dict", "tuple", "['payload']") in edges, edges
    assert ("list", "__main__.Holder", "[0]") in edges, edges
    assert holders == ["frame #1 main() variable 'box'"], holders
    edges, holders = dot_edges(local)
    assert ("list", "dict", "[0]") in edges, edges
    assert ("dict", "dict", "['nest']") in edges, edges
    assert holders == ["frame #0 inner() variable 'local_list'",
                       "frame #1 main() variable 'app'"], holders


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
