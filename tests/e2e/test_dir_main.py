"""cpdb DIR and cpdb FILE.zip run the __main__.py inside, as python3 DIR
does: sys.argv[0] as given, sys.path[0] the folder made absolute,
__main__ imported from it; no __main__.py is python3's error and
status 1."""

import os
import zipfile

from conftest import run_cpdb, run_python
from transcript import after, blocks, error_lines, stop

SHOW = """\
import sys
import helper
print("argv", sys.argv)
print("path0", sys.path[0])
print("file", __file__)
print("name", __name__, "package", repr(__package__))
print("spec", __spec__.name, __spec__.origin)
print("helper", helper.where())
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""

HELPER = """\
def where():
    return __name__
"""


def make_app(base):
    app = base / "app"
    app.mkdir()
    (app / "__main__.py").write_text(SHOW)
    (app / "helper.py").write_text(HELPER)
    return app


def program_lines(run, command="continue"):
    """The program's own lines after command (cpdb's end line cut)."""
    lines = after(run, command)
    assert lines and lines[-1].startswith("Program exited with status"), run
    return lines[:-1]


def test_dir_runs_main_as_python_does(tmp_path):
    make_app(tmp_path)
    for target in ("app", "./app/", str(tmp_path / "app")):
        r = run_cpdb([target, "4"], ["continue"], cwd=str(tmp_path))
        py = run_python([target, "4"], cwd=str(tmp_path))
        assert py.rc == 4, py
        assert r.rc == 4, r
        assert program_lines(r) == py.out.splitlines(), (target, r, py)
        assert "Program exited with status 4." in r.out


def test_dir_stops_first_in_its_main(tmp_path):
    app = make_app(tmp_path)
    r = run_cpdb(["app"], ["break helper.py:2", "continue", "where",
                           "continue"], cwd=str(tmp_path))
    first = blocks(r)[0][1]
    assert stop(first) == ("__main__.py", 1, "<module>"), r
    assert first[-1] == "-> import sys", r
    assert stop(after(r, "continue")) == ("helper.py", 2, "where"), r
    assert str(app / "__main__.py") in "\n".join(after(r, "where")), r
    assert r.rc == 0, r


def test_dir_without_main_is_an_error_as_under_python(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "other.py").write_text("print('no')\n")
    r = run_cpdb([str(empty)], ["continue"])
    py = run_python([str(empty)])
    assert py.rc == 1 and "can't find '__main__' module in" in py.err, py
    assert r.rc == 1, r
    assert error_lines(r) == ["Can't find '__main__' module in '%s'"
                              % empty], r
    assert "no" not in r.out.split()


def test_missing_script_keeps_status_2(tmp_path):
    r = run_cpdb([str(tmp_path / "nothing.py")], ["continue"])
    assert r.rc == 2, r


def test_zip_runs_main_as_python_does(tmp_path):
    app = make_app(tmp_path)
    with zipfile.ZipFile(tmp_path / "app.zip", "w") as z:
        z.write(app / "__main__.py", "__main__.py")
        z.write(app / "helper.py", "helper.py")
    r = run_cpdb(["app.zip", "3"], ["continue"], cwd=str(tmp_path))
    py = run_python(["app.zip", "3"], cwd=str(tmp_path))
    assert py.rc == 3, py
    assert r.rc == 3, r
    assert program_lines(r) == py.out.splitlines(), (r, py)
    assert stop(blocks(r)[0][1]) == ("__main__.py", 1, "<module>"), r
