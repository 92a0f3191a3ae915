/* /proc/PID/maps lines and the dynamic symbols of ELF files, as the
   injector reads them (src/attach/maps.c, src/attach/elfsym.c). */
#include "attach/elfsym.h"
#include "attach/maps.h"
#include "tap.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
test_parse_lines(void)
{
    CpdbMap m;

    OK(cpdb_maps_parse_line("7f1c2a400000-7f1c2a428000 r--p 00000000 fe:00 "
                            "1054 /usr/lib/x86_64-linux-gnu/libc.so.6\n",
                            &m) == 0, "a file mapping parses");
    OK(m.start == 0x7f1c2a400000ull && m.end == 0x7f1c2a428000ull,
       "its range");
    STR_EQ(m.perms, "r--p", "its permissions");
    OK(m.offset == 0 && m.dev_major == 0xfe && m.dev_minor == 0
       && m.inode == 1054, "its offset, device and inode");
    STR_EQ(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6", "its path");
    OK(!m.deleted, "not deleted");

    OK(cpdb_maps_parse_line("00400000-00401000 r-xp 0001a000 08:01 7 "
                            "/tmp/cpdb-AbC123/agent one.so (deleted)", &m)
       == 0, "a deleted file with a space in its name parses");
    STR_EQ(m.path, "/tmp/cpdb-AbC123/agent one.so",
           "the name without the marker");
    OK(m.deleted && m.offset == 0x1a000, "deleted, at its offset");

    OK(cpdb_maps_parse_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 "
                            "                 [stack]", &m) == 0
       && strcmp(m.path, "[stack]") == 0 && m.inode == 0,
       "a named anonymous mapping");
    OK(cpdb_maps_parse_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0",
                            &m) == 0 && m.path[0] == '\0',
       "an anonymous mapping without a name");
    OK(cpdb_maps_parse_line("garbage", &m) < 0, "garbage is refused");
    OK(cpdb_maps_parse_line("", &m) < 0, "an empty line is refused");
    OK(cpdb_maps_parse_line("2000-1000 r--p 0 00:00 0", &m) < 0,
       "an end before the start is refused");
}

static void
test_own_maps(void)
{
    CpdbMaps maps = {0};
    const CpdbMap *libc, *text;
    uint64_t addr = (uint64_t)(uintptr_t)&test_own_maps;
    int found = 0;

    OK(cpdb_maps_read(getpid(), &maps) == 0 && maps.n > 5,
       "our own maps read (%zu lines)", maps.n);
    libc = cpdb_maps_find_base(&maps, "libc.so.");
    OK(libc != NULL, "libc is mapped");
    for (size_t i = 0; i < maps.n; i++) {
        found |= addr >= maps.items[i].start && addr < maps.items[i].end
            && strchr(maps.items[i].perms, 'x') != NULL;
    }
    OK(found, "this function lies in an executable mapping");
    if (libc != NULL) {
        text = cpdb_maps_find_offset(&maps, libc, libc->offset);
        OK(text == libc, "a file offset finds its mapping");
        OK(cpdb_maps_find_offset(&maps, libc, (uint64_t)1 << 40) == NULL,
           "an offset past the file finds none");
    }
    OK(cpdb_maps_find_base(&maps, "no-such-library") == NULL,
       "an unknown library is not found");
    cpdb_maps_free(&maps);
    OK(cpdb_maps_read(0x7ffffff0, &maps) < 0, "no maps for no process");
    cpdb_maps_free(&maps);
}

/* The addresses computed from libc's file are those the loader gave. */
static void
test_libc_symbols(void)
{
    CpdbMaps maps = {0};
    const CpdbMap *libc;
    CpdbElf e;
    char why[128], path[4200];
    const char *names[] = {"dlopen", "dlsym", "mmap", "munmap", "getpid"};
    /* libc's own, not a sanitizer's interceptor of the same name. */
    void *handle = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

    cpdb_maps_read(getpid(), &maps);
    libc = cpdb_maps_find_base(&maps, "libc.so.");
    if (libc == NULL) {
        OK(0, "libc mapped");
        return;
    }
    cpdb_maps_file_path(getpid(), libc, path, sizeof path);
    OK(cpdb_elf_open(path, &e, why, sizeof why) == 0, "libc opens: %s",
       path);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint64_t value, off;
        const CpdbMap *m;
        void *want = dlsym(handle, names[i]);

        OK(cpdb_elf_symbol(&e, names[i], &value, NULL) == 0
           && cpdb_elf_file_offset(&e, value, &off) == 0
           && (m = cpdb_maps_find_offset(&maps, libc, off)) != NULL
           && m->start + (off - m->offset) == (uint64_t)(uintptr_t)want,
           "%s found where the loader put it", names[i]);
    }
    OK(cpdb_elf_symbol(&e, "no_such_symbol_anywhere", &(uint64_t){0}, NULL)
       < 0, "an unknown symbol is not found");
    cpdb_elf_close(&e);
    cpdb_maps_free(&maps);
    dlclose(handle);
}

static void
test_bad_files(void)
{
    CpdbElf e;
    char why[128], name[] = "/tmp/cpdb-test-elf-XXXXXX";
    int fd = mkstemp(name);
    unsigned char head[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};

    OK(cpdb_elf_open("/no/such/file", &e, why, sizeof why) < 0
       && strstr(why, "No such file") != NULL, "a missing file: %s", why);
    if (write(fd, "#!/bin/sh\necho not an ELF file at all, padding ...\n",
              50) != 50) {
        OK(0, "write");
    }
    OK(cpdb_elf_open(name, &e, why, sizeof why) < 0
       && strcmp(why, "not an ELF file") == 0, "a script: %s", why);
    /* An ELF header whose tables lie past the end of the file. */
    head[52] = sizeof(Elf64_Ehdr);
    head[54] = sizeof(Elf64_Phdr);
    head[58] = sizeof(Elf64_Shdr);
    head[56] = 3;
    head[60] = 9;
    head[32] = 0xf0;
    head[40] = 0xf0;
    if (pwrite(fd, head, sizeof head, 0) != sizeof head) {
        OK(0, "pwrite");
    }
    OK(cpdb_elf_open(name, &e, why, sizeof why) < 0
       && strcmp(why, "truncated ELF headers") == 0, "truncated: %s", why);
    close(fd);
    unlink(name);
}

int
main(void)
{
    test_parse_lines();
    test_own_maps();
    test_libc_symbols();
    test_bad_files();
    return tap_done();
}
