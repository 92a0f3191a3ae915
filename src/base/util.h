/* Small helpers: a growable string buffer and allocation that does not
   return NULL. */
#ifndef CPDB_SRC_UTIL_H
#define CPDB_SRC_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define CPDB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CPDB_PRINTF(f, a)
#endif

#define CPDB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Abort on exhaustion: the debugger cannot report anything without
   memory, and a NULL here would only move the crash. */
void *cpdb_xmalloc(size_t n);
void *cpdb_xcalloc(size_t n, size_t size);
void *cpdb_xrealloc(void *p, size_t n);
char *cpdb_xstrdup(const char *s);
char *cpdb_xstrndup(const char *s, size_t n);
char *cpdb_xasprintf(const char *fmt, ...) CPDB_PRINTF(1, 2);
char *cpdb_xvasprintf(const char *fmt, va_list ap) CPDB_PRINTF(1, 0);

/* The one growable array: a struct with fields items, n and cap (size_t),
   as CPDB_ARRAY(T) declares it.  cpdb_array_push(a, v) appends v, growing
   the storage (doubling) when it is full; a is evaluated more than once.
   Free with free(a.items). */
#define CPDB_ARRAY(T) struct { T *items; size_t n, cap; }
#define cpdb_array_push(a, v)                                           \
    ((void)((a)->n == (a)->cap                                         \
            ? ((a)->items = cpdb_array_grow((a)->items, &(a)->cap,     \
                                            sizeof *(a)->items))       \
            : NULL),                                                   \
     (a)->items[(a)->n++] = (v))
/* Return: items moved to storage for twice *cap items (at least 8);
   *cap receives the new capacity. */
void *cpdb_array_grow(void *items, size_t *cap, size_t item_size);

/* A re-entrancy guard: between begin and end (which nest) the debugger
   runs Python of its own, and the trace callbacks ignore the events it
   makes. */
typedef struct CpdbGuard {
    int depth;
} CpdbGuard;

static inline void
cpdb_guard_begin(CpdbGuard *g)
{
    g->depth++;
}

static inline void
cpdb_guard_end(CpdbGuard *g)
{
    g->depth--;
}

/* A NUL-terminated buffer that grows as text is appended. */
typedef struct CpdbBuf {
    char *data;
    size_t len, cap;
} CpdbBuf;

void cpdb_buf_init(CpdbBuf *b);
void cpdb_buf_fini(CpdbBuf *b);
void cpdb_buf_add(CpdbBuf *b, const char *s);
void cpdb_buf_addn(CpdbBuf *b, const char *s, size_t n);
void cpdb_buf_addc(CpdbBuf *b, char c);
void cpdb_buf_printf(CpdbBuf *b, const char *fmt, ...) CPDB_PRINTF(2, 3);
void cpdb_buf_vprintf(CpdbBuf *b, const char *fmt, va_list ap);
/* Return: the text, now owned by the caller; the buffer is left empty
   and holds no memory (it may be used again, or dropped without
   cpdb_buf_fini). */
char *cpdb_buf_take(CpdbBuf *b);

/* Read a whole file.  Return: malloc'd bytes (NUL-terminated) with their
   length in *len, or NULL with errno set. */
char *cpdb_read_file(const char *path, size_t *len);

/* Skip blanks; return the first non-blank character's address. */
const char *cpdb_skip_space(const char *s);
/* Copy of s without leading and trailing blanks. */
char *cpdb_strip_dup(const char *s);
/* Return: the index of name among names[0..n), or -1. */
int cpdb_name_index(char *const *names, int n, const char *name);
/* The slot for name in a table of named items (names[i] names the i-th
   item of *items, each item_size bytes): found, or added at the end,
   zeroed, with *is_new set.  Return: its index. */
int cpdb_named_slot(char ***names, void **items, size_t item_size, int *n,
                    const char *name, int *is_new);
/* The two of n named snapshots that "diff [A [B]]" (args) compares: A
   and B, A and now (*b = -1), or without names the last two, or the only
   one and now when one_will_do.  Return 0; -1 when there are too few
   snapshots; -2 when a name is unknown (*missing: that name,
   malloc'd). */
int cpdb_diff_pair(char *const *names, int n, const char *args,
                   int one_will_do, int *a, int *b, char **missing);
/* Parse a whole decimal integer (with optional sign); 0 on success. */
int cpdb_parse_int(const char *s, long *out);
/* Where word stands alone (blanks or the ends around it) in text, not
   inside a Python string literal or brackets: "gc chain d['a to b'] to
   x" splits at the second "to" only.  Return: a pointer into text, or
   NULL. */
const char *cpdb_find_token(const char *text, const char *word);

#endif /* CPDB_SRC_UTIL_H */
