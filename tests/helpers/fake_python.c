/* Not a Python at all: a program that exports the symbol Py_Version as
   an old CPython would (3.9.5), so that the pre-flight check of the
   version can be tested.  Prints a heartbeat. */
#include <stdio.h>
#include <unistd.h>

__attribute__((visibility("default"), used))
const unsigned long Py_Version = 0x030905f0;

int
main(void)
{
    for (int i = 0; i < 600; i++) {
        printf("beat %d\n", i);
        fflush(stdout);
        usleep(100000);
    }
    return 0;
}
