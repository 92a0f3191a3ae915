/* The interface between the stepper and a trace backend.  A backend
   delivers CALL / LINE / RETURN / EXCEPTION events to
   cpdb_step_on_event() and keeps line events off in frames that cannot
   stop (the hot-path rule of DESIGN.md). */
#ifndef CPDB_SRC_TRACE_H
#define CPDB_SRC_TRACE_H

#include "base/compat.h"

typedef struct CpdbSession CpdbSession;

typedef struct CpdbTraceBackend {
    const char *name;
    /* Start delivering events in the calling thread.  0, or -1 with an
       exception set. */
    int (*start)(CpdbSession *s);
    void (*stop)(CpdbSession *s);
    /* Breakpoints or the stepper changed while the program is stopped in
       frame top: give line events to every frame on the stack that may
       stop now, and take them away from those that cannot. */
    void (*refresh)(CpdbSession *s, PyFrameObject *top);
} CpdbTraceBackend;

extern const CpdbTraceBackend cpdb_trace_legacy;
extern const CpdbTraceBackend cpdb_trace_monitoring;

/* The backend to use by default on this Python: monitoring where it
   exists (3.12+), legacy before. */
const CpdbTraceBackend *cpdb_trace_default(void);
/* Return: the backend of that name, or NULL. */
const CpdbTraceBackend *cpdb_trace_find(const char *name);
/* Whether o belongs to the monitoring backend (never shown by heap
   commands). */
int cpdb_monitoring_is_own(PyObject *o);
/* Whether a backend can run on this Python. */
int cpdb_trace_available(const CpdbTraceBackend *b);

#endif /* CPDB_SRC_TRACE_H */
