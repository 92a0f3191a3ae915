"""Command files (source, -x, init files): at most 10 files deep, a
regular text file only (no device, folder, pipe, NUL byte, line over 64
KiB or file over 4 MiB), each refusal one line and the session going on;
./.cpdbrc read only when gdb's safe-path rule allows it, checked on the
open file."""

import os
import stat

import pytest

from conftest import program, run_cpdb
from transcript import after, error_lines

DEEP = "it would be nested more than 10 deep (the rest of the files " \
       "being sourced is skipped)"


def cannot(path, why):
    return 'Cannot read command file "%s": %s.' % (path, why)


def test_a_file_that_sources_itself_stops_at_10_deep(tmp_path):
    loop = tmp_path / "loop.cpdb"
    loop.write_text("echo in\\n\nsource loop.cpdb\necho after\\n\n")
    r = run_cpdb([program("basic.py")], ["source loop.cpdb", "p 6 * 7"],
                 cwd=str(tmp_path), timeout=20)
    assert r.out.splitlines().count("in") == 10, r
    assert "after" not in r.out.splitlines(), r
    assert error_lines(r) == [cannot(loop, DEEP)], r
    assert after(r, "p 6 * 7") == ["$1 = 42"], r
    assert r.rc == 0, r


def test_two_files_sourcing_each_other_and_the_rest_runs(tmp_path):
    (tmp_path / "a.cpdb").write_text("source b.cpdb\nsource b.cpdb\n")
    (tmp_path / "b.cpdb").write_text("echo b\\n\nsource a.cpdb\n")
    (tmp_path / "top.cpdb").write_text("echo top\\n\n")
    r = run_cpdb([program("basic.py")],
                 ["source a.cpdb", "source top.cpdb", "p 1"],
                 cwd=str(tmp_path), timeout=20)
    assert r.out.splitlines().count("b") == 5, r
    # a, b, a, ... : the sixth a would be the eleventh file
    assert error_lines(r) == [cannot(tmp_path / "a.cpdb", DEEP)], r
    assert "top" in r.out.splitlines()
    assert after(r, "p 1") == ["$1 = 1"], r


def test_devices_folders_and_pipes_are_refused(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cmds = ["source /dev/zero", "source /dev/urandom", "source folder",
            "source fifo", "source missing.cpdb", "p 6 * 7"]
    r = run_cpdb([program("basic.py")], cmds, cwd=str(tmp_path),
                 timeout=20)
    assert error_lines(r) == [
        cannot("/dev/zero", "it is a character device, not a file of "
               "commands"),
        cannot("/dev/urandom", "it is a character device, not a file of "
               "commands"),
        cannot(folder, "it is a directory, not a file of commands"),
        cannot(fifo, "it is a pipe, not a file of commands"),
        cannot(tmp_path / "missing.cpdb", "No such file or directory"),
    ], r
    assert after(r, "p 6 * 7") == ["$1 = 42"], r
    assert r.rc == 0, r


def test_binary_long_lines_and_huge_files_are_refused_whole(tmp_path):
    (tmp_path / "bin.cpdb").write_bytes(b"echo one\\n\n\x00\xff\xfe\n")
    (tmp_path / "long.cpdb").write_text("echo one\\n\necho %s\n"
                                        % ("x" * 70000))
    with open(tmp_path / "huge.cpdb", "wb") as f:
        f.truncate(1 << 30)             # 1 GB, sparse
    (tmp_path / "ok.cpdb").write_text("echo one\\n\n" + "p 2\n" * 2)
    cmds = ["source bin.cpdb", "source long.cpdb", "source huge.cpdb",
            "source ok.cpdb"]
    r = run_cpdb([program("basic.py")], cmds, cwd=str(tmp_path),
                 timeout=20)
    assert error_lines(r) == [
        cannot(tmp_path / "bin.cpdb", "it holds binary data (a NUL byte "
               "on line 2)"),
        cannot(tmp_path / "long.cpdb", "line 2 is longer than 65536 "
               "bytes"),
        cannot(tmp_path / "huge.cpdb", "it is larger than 4 MiB"),
    ], r
    # nothing of a refused file ran; the good one did
    assert r.out.splitlines().count("one") == 1, r
    assert after(r, "p 2", 1) == ["$2 = 2"], r


def test_x_follows_the_same_rules(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    for bad, why in (("/dev/zero", "it is a character device, not a file "
                      "of commands"),
                     ("/dev/urandom", "it is a character device, not a "
                      "file of commands"),
                     (str(folder), "it is a directory, not a file of "
                      "commands")):
        r = run_cpdb(["-x", bad, program("basic.py")], ["continue"],
                     timeout=20)
        assert error_lines(r) == [cannot(bad, why)], r
        assert r.rc == 1, r
    loop = tmp_path / "loop.cpdb"
    loop.write_text("echo in\\n\nsource loop.cpdb\n")
    r = run_cpdb(["-x", str(loop), program("basic.py")], ["p 6 * 7"],
                 cwd=str(tmp_path), timeout=20)
    assert r.out.splitlines().count("in") == 10, r
    assert error_lines(r) == [cannot(loop, DEEP)], r
    assert after(r, "p 6 * 7") == ["$1 = 42"], r


# --- init files ---------------------------------------------------------------

@pytest.fixture
def places(tmp_path):
    """A private HOME and a working folder (mode 0755) to start in."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    os.chmod(work, 0o755)
    return home, work


def start(places, commands=("p 6 * 7",)):
    home, work = places
    return run_cpdb([program("basic.py")], list(commands),
                    env={"HOME": str(home)}, cwd=str(work), nx=False,
                    timeout=20)


def write(path, text, mode=0o644):
    path.write_text(text)
    os.chmod(path, mode)


def not_loaded(path, why):
    return "warning: %s not loaded: %s." % (path, why)


def test_local_init_file_that_sources_itself(places):
    home, work = places
    write(work / ".cpdbrc", "echo rc\\n\nsource .cpdbrc\n")
    r = start(places)
    assert r.out.splitlines().count("rc") == 10, r
    assert error_lines(r) == [cannot(work / ".cpdbrc", DEEP)], r
    assert after(r, "p 6 * 7") == ["$1 = 42"], r


@pytest.mark.parametrize("mode,why", [
    (0o666, "it is writable by others (mode 0666)"),
    (0o646, "it is writable by others (mode 0646)"),
    (0o664, "it is writable by its group (mode 0664)"),
])
def test_local_init_file_writable_by_others_is_refused(places, mode, why):
    home, work = places
    write(work / ".cpdbrc", "echo local\\n\n", mode)
    r = start(places)
    assert "local" not in r.out.splitlines(), r
    assert error_lines(r) == [not_loaded(work / ".cpdbrc", why)], r
    assert after(r, "p 6 * 7") == ["$1 = 42"], r


def test_local_init_file_that_is_a_symlink_is_refused(places):
    home, work = places
    write(work / "real", "echo local\\n\n")
    os.symlink("real", work / ".cpdbrc")
    r = start(places)
    assert "local" not in r.out.splitlines(), r
    assert error_lines(r) == [not_loaded(work / ".cpdbrc",
                                         "it is a symbolic link")], r


@pytest.mark.parametrize("mode,why", [
    (0o777, "its folder is writable by others (mode 0777)"),
    (0o775, "its folder is writable by its group (mode 0775)"),
    (0o1777, None),             # sticky: others cannot replace our file
])
def test_local_init_file_in_a_folder_others_write(places, mode, why):
    home, work = places
    write(work / ".cpdbrc", "echo local\\n\n")
    os.chmod(work, mode)
    r = start(places)
    if why is None:
        assert "local" in r.out.splitlines(), r
        assert not error_lines(r), r
    else:
        assert "local" not in r.out.splitlines(), r
        assert error_lines(r) == [not_loaded(work / ".cpdbrc", why)], r


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown")
def test_local_init_file_owned_by_someone_else_is_refused(places):
    home, work = places
    write(work / ".cpdbrc", "echo local\\n\n")
    os.chown(work / ".cpdbrc", 4321, -1)
    r = start(places)
    assert "local" not in r.out.splitlines(), r
    assert error_lines(r) == [not_loaded(work / ".cpdbrc",
                                         "it is owned by uid 4321, not by "
                                         "you")], r


def test_local_init_file_that_is_a_folder_or_device_is_refused(places):
    home, work = places
    (work / ".cpdbrc").mkdir()
    r = start(places)
    assert error_lines(r) == [not_loaded(work / ".cpdbrc", "it is a "
                                         "directory, not a file of "
                                         "commands")], r
    (work / ".cpdbrc").rmdir()
    os.mkfifo(work / ".cpdbrc")
    r = start(places)
    assert error_lines(r) == [not_loaded(work / ".cpdbrc", "it is a pipe, "
                                         "not a file of commands")], r
    assert after(r, "p 6 * 7") == ["$1 = 42"], r


def test_home_init_file_may_be_a_symlink_but_not_writable_by_others(places):
    home, work = places
    write(home / "dotfiles.cpdbrc", "echo home\\n\n")
    os.symlink(home / "dotfiles.cpdbrc", home / ".cpdbrc")
    write(work / ".cpdbrc", "echo local\\n\n")
    r = start(places)
    out = r.out.splitlines()
    assert out.index("home") + 1 == out.index("local"), r
    assert not error_lines(r), r
    os.chmod(home / "dotfiles.cpdbrc", 0o666)
    r = start(places)
    assert "home" not in r.out.splitlines() and "local" in r.out, r
    assert error_lines(r) == [not_loaded(
        home / ".cpdbrc", "it is writable by others (mode 0666)")], r


def test_safe_local_init_file_is_read(places):
    home, work = places
    write(work / ".cpdbrc", "echo local\\n\n", 0o600)
    r = start(places)
    assert "local" in r.out.splitlines(), r
    assert not error_lines(r), r
    assert stat.S_IMODE(os.stat(work / ".cpdbrc").st_mode) == 0o600
