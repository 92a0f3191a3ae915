"""Files cpdb writes (gc graph): only the file named is written, whole or
not at all; a symbolic link planted there is replaced, not followed;
names starting with "-" or holding spaces are plain names; a relative
name starts from the folder cpdb started in, wherever the program moved
to; a missing or failing dot is a one-line error that leaves nothing."""

import os
import shutil
import stat

import pytest

from conftest import run_cpdb
from transcript import after, error_lines

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz dot is not installed")

PROG = """\
import os
import sys
data = {"a": [1, 2], "b": {"c": 3}}
if len(sys.argv) > 1:
    os.chdir(sys.argv[1])
stop_here = 1
"""

PNG = b"\x89PNG\r\n\x1a\n"


def stopped(tmp_path, commands, args=(), env=None, cwd=None):
    """Run PROG (written in tmp_path) to its last line, then commands."""
    prog = tmp_path / "prog.py"
    prog.write_text(PROG)
    return run_cpdb([str(prog)] + list(args),
                    ["break 6", "continue"] + list(commands),
                    env=env, cwd=str(cwd or tmp_path))


def written(run, command, path):
    assert after(run, command) == [
        "Graph of 6 objects (what it refers to, depth 3) written to %s."
        % path], run


@needs_dot
def test_png_leaves_a_dot_file_of_the_same_name_alone(tmp_path):
    report = tmp_path / "report.dot"
    report.write_text("the user's own report\n")
    r = stopped(tmp_path, ["gc graph data report.png"])
    written(r, "gc graph data report.png", tmp_path / "report.png")
    assert report.read_text() == "the user's own report\n"
    assert (tmp_path / "report.png").read_bytes()[:8] == PNG
    assert sorted(os.listdir(tmp_path)) == ["prog.py", "report.dot",
                                            "report.png"]
    assert not r.err, r


@needs_dot
def test_planted_symlink_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    for name in ("out.png", "out.dot", "out.svg"):
        os.symlink(victim, tmp_path / name)
    # the DOT text of a .png used to go to out.dot, through the link
    r = stopped(tmp_path, ["gc graph data out.png", "gc graph data out.svg",
                           "gc graph data out.dot"])
    assert victim.read_text() == "precious\n"
    for name in ("out.png", "out.dot", "out.svg"):
        st = os.lstat(tmp_path / name)
        assert stat.S_ISREG(st.st_mode), name
        assert st.st_mode & 0o777 == 0o666 & ~current_umask(), name
    assert (tmp_path / "out.png").read_bytes()[:8] == PNG
    assert "<svg" in (tmp_path / "out.svg").read_text()
    assert (tmp_path / "out.dot").read_text().startswith("digraph cpdb {")
    assert not r.err, r


def current_umask():
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


@needs_dot
def test_names_starting_with_a_dash_are_not_options(tmp_path):
    names = ["-x.png", "-V.png", "-o.svg", "-Tsvg.dot"]
    r = stopped(tmp_path, ["gc graph data %s" % n for n in names])
    for n in names:
        written(r, "gc graph data %s" % n, tmp_path / n)
    assert (tmp_path / "-x.png").read_bytes()[:8] == PNG
    assert (tmp_path / "-V.png").read_bytes()[:8] == PNG
    assert "<svg" in (tmp_path / "-o.svg").read_text()
    assert (tmp_path / "-Tsvg.dot").read_text().startswith("digraph")
    assert sorted(os.listdir(tmp_path)) == sorted(names + ["prog.py"])
    assert not r.err, r


@needs_dot
def test_names_with_spaces_are_quoted(tmp_path):
    (tmp_path / "sub dir").mkdir()
    cmds = ['gc graph data "my graph.png"',
            "gc graph data 'sub dir/a b.dot'",
            'gc graph data["b"] depth 1 "sub dir/two  spaces.svg"']
    r = stopped(tmp_path, cmds)
    written(r, cmds[0], tmp_path / "my graph.png")
    written(r, cmds[1], tmp_path / "sub dir" / "a b.dot")
    assert after(r, cmds[2]) == [
        "Graph of 2 objects (what it refers to, depth 1) written to %s."
        % (tmp_path / "sub dir" / "two  spaces.svg")], r
    assert (tmp_path / "my graph.png").read_bytes()[:8] == PNG
    assert sorted(os.listdir(tmp_path / "sub dir")) == [
        "a b.dot", "two  spaces.svg"]
    assert not r.err, r


def test_relative_names_start_where_cpdb_started(tmp_path):
    start = tmp_path / "start"
    elsewhere = tmp_path / "elsewhere"
    start.mkdir()
    elsewhere.mkdir()
    (start / "cmds.cpdb").write_text("echo sourced from start\\n\n")
    r = stopped(tmp_path, ["p os.getcwd()", "gc graph data rel.dot",
                           "source cmds.cpdb"],
                args=[str(elsewhere)], cwd=start)
    assert after(r, "p os.getcwd()") == ["$1 = %r" % str(elsewhere)], r
    written(r, "gc graph data rel.dot", start / "rel.dot")
    assert (start / "rel.dot").read_text().startswith("digraph cpdb {")
    assert os.listdir(elsewhere) == []
    assert "sourced from start" in after(r, "echo sourced from start\\n")
    assert not r.err, r


def test_missing_dot_is_one_line_and_writes_nothing(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    r = stopped(tmp_path, ["gc graph data g.png", "p 6 * 7"],
                env={"PATH": str(empty)})
    assert error_lines(r) == [
        'Cannot write "%s": Graphviz "dot" is not installed (a FILE.dot '
        'needs no Graphviz).' % (tmp_path / "g.png")], r
    assert after(r, "p 6 * 7") == ["$1 = 42"]     # the session goes on
    assert sorted(os.listdir(tmp_path)) == ["bin", "prog.py"]


def test_failing_dot_is_one_line_and_leaves_the_old_file(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text("#!/bin/sh\n"
                              "echo half a picture\n"
                              "echo 'Error: out of crayons' >&2\n"
                              "echo 'second line' >&2\n"
                              "exit 3\n")
    os.chmod(fake / "dot", 0o755)
    old = tmp_path / "g.png"
    old.write_bytes(b"old picture")
    r = stopped(tmp_path, ["gc graph data g.png", "gc graph data new.svg",
                           "p 6 * 7"],
                env={"PATH": "%s:%s" % (fake, os.environ["PATH"])})
    assert error_lines(r) == [
        'Cannot write "%s": "dot" failed with status 3: Error: out of '
        'crayons.' % old,
        'Cannot write "%s": "dot" failed with status 3: Error: out of '
        'crayons.' % (tmp_path / "new.svg")], r
    assert old.read_bytes() == b"old picture"
    assert after(r, "p 6 * 7") == ["$1 = 42"]
    assert sorted(os.listdir(tmp_path)) == ["bin", "g.png", "prog.py"]


def test_unwritable_folder_is_one_line(tmp_path):
    r = stopped(tmp_path, ["gc graph data no/such/dir/g.dot", "p 1"])
    assert error_lines(r) == [
        'Cannot write "%s": No such file or directory.'
        % (tmp_path / "no/such/dir/g.dot")], r
    assert after(r, "p 1") == ["$1 = 1"]


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
