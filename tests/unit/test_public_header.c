/* include/cpdb/cpdb.h compiles on its own, before any other header. */
#include "cpdb/cpdb.h"

#include <stdio.h>

int
main(void)
{
    CpdbOptions o = {0, 0, 0};
    (void)o;
    printf("ok 1 - cpdb.h compiles alone; CPDB_OK is %d\n", CPDB_OK);
    printf("1..1\n");
    return CPDB_OK == 0 && CPDB_E_ARGS < 0 ? 0 : 1;
}
