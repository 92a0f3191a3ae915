/* The program's stdout and stderr as output events: fds 1 and 2 of the
   process become pipes, and a thread sends what comes through them (the
   protocol itself has its own copies of the client's fds). */
#include "dap/dap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* How long a drain waits for the output thread at most. */
#define DRAIN_MS 500
/* How long the output thread waits for the end of a line. */
#define LINE_WAIT_MS 2

/* Send text as output of category, cut where a UTF-8 character would
   be split (the rest waits for more bytes).  Return: bytes used. */
static size_t
send_chunk(Dap *d, const char *category, const char *buf, size_t n)
{
    size_t use = n;
    char *text;
    /* Keep a character that is not whole for the next read. */
    if (use > 0) {
        size_t back = 0;
        while (back < 4 && back < use
               && ((unsigned char)buf[use - 1 - back] & 0xC0) == 0x80) {
            back++;
        }
        if (back < use) {
            unsigned char lead = (unsigned char)buf[use - 1 - back];
            size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3
                        : lead >= 0xC0 ? 2 : 1;
            if (want > back + 1 && want <= 4) {
                use -= back + 1;
            }
        }
    }
    if (use == 0) {
        use = n;        /* a lone broken sequence: send it as it is */
    }
    text = cpdb_xmalloc(use + 1);
    memcpy(text, buf, use);
    text[use] = '\0';
    {
        json_t *body = json_object();
        json_t *t = json_stringn(text, use);
        if (t == NULL) {
            /* Not UTF-8: latin-1 it, as a terminal would show
               something. */
            CpdbBuf b;
            size_t i;
            cpdb_buf_init(&b);
            for (i = 0; i < use; i++) {
                unsigned char c = (unsigned char)text[i];
                if (c < 0x80) {
                    cpdb_buf_addc(&b, (char)c);
                }
                else {
                    cpdb_buf_addc(&b, (char)(0xC0 | (c >> 6)));
                    cpdb_buf_addc(&b, (char)(0x80 | (c & 0x3F)));
                }
            }
            t = json_string(b.data != NULL ? b.data : "");
            cpdb_buf_fini(&b);
        }
        json_object_set_new(body, "category", json_string(category));
        json_object_set_new(body, "output", t);
        cpdb_dap_event(&d->w, "output", body);
    }
    free(text);
    return use;
}

static void *
output_main(void *arg)
{
    Dap *d = arg;
    struct pollfd p[2];
    char buf[2][8192];
    size_t have[2] = {0, 0};
    static const char *const categories[2] = {"stdout", "stderr"};
    int open_fds = 2, i;

    p[0].fd = d->out_pipe;
    p[1].fd = d->err_pipe;
    p[0].events = p[1].events = POLLIN;
    while (open_fds > 0) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (i = 0; i < 2; i++) {
            ssize_t k;
            size_t used;
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP
                                                  | POLLERR))) {
                continue;
            }
            pthread_mutex_lock(&d->out_mu);
            d->out_busy++;
            pthread_mutex_unlock(&d->out_mu);
            k = read(p[i].fd, buf[i] + have[i], sizeof buf[i] - have[i]);
            if (k <= 0 && !(k < 0 && errno == EINTR)) {
                if (have[i] > 0) {
                    send_chunk(d, categories[i], buf[i], have[i]);
                    have[i] = 0;
                }
                p[i].fd = -1;
                open_fds--;
            }
            else if (k > 0) {
                struct pollfd more = {p[i].fd, POLLIN, 0};
                have[i] += (size_t)k;
                /* An unbuffered print() writes its text and its newline
                   apart: wait a moment for the rest of a line. */
                while (have[i] < sizeof buf[i] && buf[i][have[i] - 1] != '\n'
                       && poll(&more, 1, LINE_WAIT_MS) > 0
                       && (k = read(p[i].fd, buf[i] + have[i],
                                    sizeof buf[i] - have[i])) > 0) {
                    have[i] += (size_t)k;
                }
                used = send_chunk(d, categories[i], buf[i], have[i]);
                memmove(buf[i], buf[i] + used, have[i] - used);
                have[i] -= used;
            }
            pthread_mutex_lock(&d->out_mu);
            d->out_busy--;
            pthread_mutex_unlock(&d->out_mu);
        }
    }
    return NULL;
}

/* Make fd a pipe's write end (the read end returned, close-on-exec),
   keeping fd's number.  Return: the read end, or -1. */
static int
pipe_onto(int fd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        return -1;
    }
    if (dup2(p[1], fd) < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    close(p[1]);
    return p[0];
}

int
cpdb_dap_output_start(Dap *d)
{
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pthread_attr_t attr;
    if (null_fd < 0) {
        return -1;
    }
    if (null_fd != 0) {
        dup2(null_fd, 0);
        close(null_fd);
    }
    pthread_mutex_init(&d->out_mu, NULL);
    /* cpdb's own notices keep going where they went. */
    d->w.log_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (d->w.log_fd < 0) {
        d->w.log_fd = 2;
    }
    d->out_pipe = pipe_onto(1);
    d->err_pipe = pipe_onto(2);
    if (d->out_pipe < 0 || d->err_pipe < 0) {
        return -1;
    }
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&d->out_thread, &attr, output_main, d) != 0) {
        pthread_attr_destroy(&attr);
        return -1;
    }
    pthread_attr_destroy(&attr);
    d->out_started = 1;
    return 0;
}

/* Whether bytes wait in the read end of fd's pipe. */
static int
has_unread(int fd)
{
    int n = 0;
    return fd >= 0 && ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

void
cpdb_dap_output_drain(Dap *d)
{
    int i;
    if (!d->out_started) {
        return;
    }
    for (i = 0; i < DRAIN_MS; i++) {
        long busy;
        struct timespec ts = {0, 1000000L};
        pthread_mutex_lock(&d->out_mu);
        busy = d->out_busy;
        pthread_mutex_unlock(&d->out_mu);
        if (busy == 0 && !has_unread(d->out_pipe)
            && !has_unread(d->err_pipe)) {
            return;
        }
        nanosleep(&ts, NULL);
    }
}
