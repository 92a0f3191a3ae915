/* String buffer, integer parsing and path normalisation. */
#include "core/source.h"
#include "tap.h"
#include "base/util.h"

#include <stdlib.h>
#include <unistd.h>

int
main(void)
{
    CpdbBuf b;
    long v;
    char *p, cwd[4096];

    cpdb_buf_init(&b);
    cpdb_buf_add(&b, "ab");
    cpdb_buf_printf(&b, "%d-%s", 42, "x");
    cpdb_buf_addc(&b, '!');
    STR_EQ(b.data, "ab42-x!", "buffer appends");
    p = cpdb_buf_take(&b);
    OK(b.len == 0 && b.data[0] == '\0', "take leaves the buffer empty");
    free(p);
    p = cpdb_buf_take(&b);
    STR_EQ(p, "", "taking an emptied buffer gives an empty text of its own");
    cpdb_buf_add(&b, "again");
    STR_EQ(b.data, "again", "an emptied buffer takes text again");
    free(p);
    free(cpdb_buf_take(&b));
    for (v = 0; v < 1000; v++) {
        cpdb_buf_add(&b, "0123456789");
    }
    OK(b.len == 10000, "buffer grows to 10000 bytes");
    cpdb_buf_fini(&b);

    OK(cpdb_parse_int(" 42 ", &v) == 0 && v == 42, "parse \" 42 \"");
    OK(cpdb_parse_int("-7", &v) == 0 && v == -7, "parse \"-7\"");
    OK(cpdb_parse_int("4x", &v) < 0, "refuse \"4x\"");
    OK(cpdb_parse_int("", &v) < 0, "refuse \"\"");
    OK(cpdb_parse_int("99999999999999999999999", &v) < 0, "refuse overflow");

    p = cpdb_path_absolute("/a/./b//c/../d.py");
    STR_EQ(p, "/a/b/d.py", "normalise an absolute path");
    free(p);
    p = cpdb_path_absolute("/../x");
    STR_EQ(p, "/x", "'..' stops at the root");
    free(p);
    if (getcwd(cwd, sizeof cwd) != NULL) {
        char *want = cpdb_xasprintf("%s/sub/f.py", cwd);
        p = cpdb_path_absolute("sub/./f.py");
        STR_EQ(p, want, "relative paths join the working directory");
        free(p);
        free(want);
    }
    p = cpdb_strip_dup("  hi there \t\n");
    STR_EQ(p, "hi there", "strip blanks at both ends");
    free(p);
    return tap_done();
}
