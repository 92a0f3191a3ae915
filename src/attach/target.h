/* Error lines shared by the pre-flight checks and the injector. */
#ifndef CPDB_SRC_ATTACH_TARGET_H
#define CPDB_SRC_ATTACH_TARGET_H

#include <stddef.h>
#include <sys/types.h>

#include "attach/maps.h"

/* Put the line for "the kernel refused to let us trace pid" into err,
   naming why (Yama's ptrace_scope, another user, no CAP_SYS_PTRACE). */
void cpdb_target_denied(pid_t pid, char *err, size_t errlen);

/* Return: 1 with the line for "pid is traced by someone" in err when the
   status of its thread tid (0: its main thread) names a tracer, else 0. */
int cpdb_target_traced(pid_t pid, pid_t tid, char *err, size_t errlen);

/* Return: 1 when process pid has ended (no longer there, or a zombie
   without threads left), else 0. */
int cpdb_target_gone(pid_t pid);

/* Return: the mapping (offset 0) of the file that holds the process's
   libpython symbols: libpython3.X.so, else the executable, with *is_static
   set to 1; NULL when neither is mapped.  Borrowed: owned by maps.  The
   caller still checks the file's symbols for the executable. */
const CpdbMap *cpdb_target_python_map(pid_t pid, const CpdbMaps *maps,
                                      int *is_static);

#endif
