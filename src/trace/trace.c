/* Choosing a trace backend. */
#include "trace/trace.h"

#include <string.h>

int
cpdb_trace_available(const CpdbTraceBackend *b)
{
    if (b == &cpdb_trace_monitoring) {
        return CPDB_HAVE_MONITORING;
    }
    return 1;
}

const CpdbTraceBackend *
cpdb_trace_default(void)
{
    return CPDB_HAVE_MONITORING ? &cpdb_trace_monitoring : &cpdb_trace_legacy;
}

const CpdbTraceBackend *
cpdb_trace_find(const char *name)
{
    if (strcmp(name, cpdb_trace_legacy.name) == 0) {
        return &cpdb_trace_legacy;
    }
    if (strcmp(name, cpdb_trace_monitoring.name) == 0) {
        return &cpdb_trace_monitoring;
    }
    return NULL;
}
