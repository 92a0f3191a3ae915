/* Allocation and string-buffer helpers. */
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *
cpdb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        abort();
    }
    return p;
}

void *
cpdb_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) {
        abort();
    }
    return p;
}

void *
cpdb_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) {
        abort();
    }
    return p;
}

void *
cpdb_array_grow(void *items, size_t *cap, size_t item_size)
{
    size_t n = *cap ? *cap * 2 : 8;
    if (n > (size_t)-1 / item_size) {
        abort();
    }
    *cap = n;
    return cpdb_xrealloc(items, n * item_size);
}

char *
cpdb_xstrdup(const char *s)
{
    return cpdb_xstrndup(s, strlen(s));
}

char *
cpdb_xstrndup(const char *s, size_t n)
{
    char *p = cpdb_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
cpdb_xvasprintf(const char *fmt, va_list ap)
{
    CpdbBuf b;
    cpdb_buf_init(&b);
    cpdb_buf_vprintf(&b, fmt, ap);
    return cpdb_buf_take(&b);
}

char *
cpdb_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    s = cpdb_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void
cpdb_buf_init(CpdbBuf *b)
{
    b->cap = 64;
    b->len = 0;
    b->data = cpdb_xmalloc(b->cap);
    b->data[0] = '\0';
}

void
cpdb_buf_fini(CpdbBuf *b)
{
    if (b->cap > 0) {
        free(b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

static void
buf_reserve(CpdbBuf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        if (b->cap == 0) {      /* emptied by cpdb_buf_take */
            b->cap = 64;
            b->data = NULL;
        }
        while (b->len + extra + 1 > b->cap) {
            b->cap *= 2;
        }
        b->data = cpdb_xrealloc(b->data, b->cap);
        b->data[b->len] = '\0';
    }
}

void
cpdb_buf_addn(CpdbBuf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
cpdb_buf_add(CpdbBuf *b, const char *s)
{
    cpdb_buf_addn(b, s, strlen(s));
}

void
cpdb_buf_addc(CpdbBuf *b, char c)
{
    cpdb_buf_addn(b, &c, 1);
}

void
cpdb_buf_vprintf(CpdbBuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return;
    }
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void
cpdb_buf_printf(CpdbBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cpdb_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* What an emptied buffer shows until it is written again. */
static char no_text[1];

char *
cpdb_buf_take(CpdbBuf *b)
{
    char *s = b->cap > 0 ? b->data : cpdb_xstrdup("");
    b->data = no_text;          /* empty, holding no memory */
    b->len = b->cap = 0;
    return s;
}

char *
cpdb_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CpdbBuf b;
    char chunk[8192];
    size_t n;
    if (f == NULL) {
        return NULL;
    }
    cpdb_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        cpdb_buf_addn(&b, chunk, n);
    }
    fclose(f);
    *len = b.len;
    return cpdb_buf_take(&b);
}

const char *
cpdb_skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

char *
cpdb_strip_dup(const char *s)
{
    const char *end;
    s = cpdb_skip_space(s);
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) {
        end--;
    }
    return cpdb_xstrndup(s, (size_t)(end - s));
}

int
cpdb_parse_int(const char *s, long *out)
{
    char *end;
    long v;
    s = cpdb_skip_space(s);
    if (*s == '\0') {
        return -1;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s) {
        return -1;
    }
    end = (char *)cpdb_skip_space(end);
    if (*end != '\0') {
        return -1;
    }
    *out = v;
    return 0;
}

int
cpdb_named_slot(char ***names, void **items, size_t item_size, int *n,
                const char *name, int *is_new)
{
    int i = cpdb_name_index(*names, *n, name);
    *is_new = i < 0;
    if (i < 0) {
        *names = cpdb_xrealloc(*names, sizeof(char *) * (size_t)(*n + 1));
        *items = cpdb_xrealloc(*items, item_size * (size_t)(*n + 1));
        i = (*n)++;
        (*names)[i] = cpdb_xstrdup(name);
        memset((char *)*items + item_size * (size_t)i, 0, item_size);
    }
    return i;
}

int
cpdb_diff_pair(char *const *names, int n, const char *args,
               int one_will_do, int *a, int *b, char **missing)
{
    char *text = cpdb_strip_dup(args), *b_name = NULL, *sp;
    int rc = 0;
    *missing = NULL;
    if (*text == '\0') {
        if (n >= 2) {
            *a = n - 2;
            *b = n - 1;
        }
        else if (n == 1 && one_will_do) {
            *a = 0;
            *b = -1;
        }
        else {
            rc = -1;
        }
        free(text);
        return rc;
    }
    if ((sp = strchr(text, ' ')) != NULL) {
        *sp = '\0';
        b_name = (char *)cpdb_skip_space(sp + 1);
    }
    *a = cpdb_name_index(names, n, text);
    *b = b_name ? cpdb_name_index(names, n, b_name) : -1;
    if (*a < 0 || (b_name != NULL && *b < 0)) {
        *missing = cpdb_xstrdup(*a < 0 ? text : b_name);
        rc = -2;
    }
    free(text);
    return rc;
}

int
cpdb_name_index(char *const *names, int n, const char *name)
{
    int i;
    for (i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

const char *
cpdb_find_token(const char *text, const char *word)
{
    size_t n = strlen(word);
    int depth = 0;
    char quote = 0;
    const char *p;
    for (p = text; *p != '\0'; p++) {
        if (quote) {
            if (*p == '\\' && p[1] != '\0') {
                p++;
            }
            else if (*p == quote) {
                quote = 0;
            }
        }
        else if (*p == '"' || *p == '\'') {
            quote = *p;
        }
        else if (strchr("([{", *p) != NULL) {
            depth++;
        }
        else if (strchr(")]}", *p) != NULL) {
            depth -= depth > 0;
        }
        else if (depth == 0 && strncmp(p, word, n) == 0
                 && (p == text || isspace((unsigned char)p[-1]))
                 && (p[n] == '\0' || isspace((unsigned char)p[n]))) {
            return p;
        }
    }
    return NULL;
}
