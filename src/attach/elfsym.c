/* Reading .dynsym from the file itself, never from our own process's
   copies: the target may run another libc (a container) than cpdb. */
#include "attach/elfsym.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TABLE (64u << 20)   /* sanity bound on a table's size */

static int
read_all(int fd, uint64_t off, void *buf, size_t n)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done,
                          (off_t)(off + done));

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        done += (size_t)r;
    }
    return 0;
}

/* Return: malloc'ed copy of n bytes at off, or NULL. */
static void *
read_table(int fd, uint64_t off, uint64_t n)
{
    void *p;

    if (n == 0 || n > MAX_TABLE || (p = malloc((size_t)n)) == NULL) {
        return NULL;
    }
    if (read_all(fd, off, p, (size_t)n) < 0) {
        free(p);
        return NULL;
    }
    return p;
}

int
cpdb_elf_open(const char *path, CpdbElf *e, char *err, size_t errlen)
{
    Elf64_Ehdr eh;
    Elf64_Shdr *shdrs = NULL;
    const char *why = NULL;

    memset(e, 0, sizeof *e);
    e->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (e->fd < 0) {
        int saved = errno;

        snprintf(err, errlen, "%s", strerror(saved));
        errno = saved;
        return -1;
    }
    if (read_all(e->fd, 0, &eh, sizeof eh) < 0
        || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        why = "not an ELF file";
        goto fail;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64
        || eh.e_ident[EI_DATA] != ELFDATA2LSB
        || eh.e_phentsize != sizeof(Elf64_Phdr)
        || eh.e_shentsize != sizeof(Elf64_Shdr)) {
        why = "not a 64-bit little-endian ELF file";
        goto fail;
    }
    e->type = eh.e_type;
    e->n_phdrs = eh.e_phnum;
    e->phdrs = read_table(e->fd, eh.e_phoff,
                          (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr));
    shdrs = read_table(e->fd, eh.e_shoff,
                       (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr));
    if (e->phdrs == NULL || shdrs == NULL) {
        why = "truncated ELF headers";
        goto fail;
    }
    for (size_t i = 0; i < eh.e_shnum; i++) {
        const Elf64_Shdr *sh = &shdrs[i];

        if (sh->sh_type == SHT_DYNSYM && e->syms == NULL
            && sh->sh_entsize == sizeof(Elf64_Sym)
            && sh->sh_link < eh.e_shnum) {
            const Elf64_Shdr *str = &shdrs[sh->sh_link];

            e->syms = read_table(e->fd, sh->sh_offset, sh->sh_size);
            e->n_syms = sh->sh_size / sizeof(Elf64_Sym);
            e->strs = read_table(e->fd, str->sh_offset, str->sh_size);
            e->strs_size = str->sh_size;
        }
    }
    for (size_t i = 0; i < eh.e_shnum; i++) {
        const Elf64_Shdr *sh = &shdrs[i];

        if (sh->sh_type == SHT_GNU_versym && e->syms != NULL
            && sh->sh_size == e->n_syms * sizeof(Elf64_Half)) {
            e->versyms = read_table(e->fd, sh->sh_offset, sh->sh_size);
        }
    }
    if (e->syms == NULL || e->strs == NULL || e->strs_size == 0
        || e->strs[e->strs_size - 1] != '\0') {
        why = "no dynamic symbol table";
        goto fail;
    }
    free(shdrs);
    return 0;
fail:
    snprintf(err, errlen, "%s", why);
    free(shdrs);
    cpdb_elf_close(e);
    errno = ENOEXEC;
    return -1;
}

void
cpdb_elf_close(CpdbElf *e)
{
    if (e->fd >= 0) {
        close(e->fd);
    }
    free(e->phdrs);
    free(e->syms);
    free(e->strs);
    free(e->versyms);
    memset(e, 0, sizeof *e);
    e->fd = -1;
}

int
cpdb_elf_symbol(const CpdbElf *e, const char *name, uint64_t *value,
                uint64_t *size)
{
    int found = 0;

    for (size_t i = 1; i < e->n_syms; i++) {
        const Elf64_Sym *s = &e->syms[i];
        int hidden;

        if (s->st_shndx == SHN_UNDEF || s->st_name >= e->strs_size
            || strcmp(e->strs + s->st_name, name) != 0) {
            continue;
        }
        /* A hidden version (bit 15) is an old one kept for binaries
           linked long ago; keep looking for the default. */
        hidden = e->versyms != NULL && (e->versyms[i] & 0x8000) != 0;
        if (!found || !hidden) {
            *value = s->st_value;
            if (size != NULL) {
                *size = s->st_size;
            }
            found = 1;
            if (!hidden) {
                break;
            }
        }
    }
    return found ? 0 : -1;
}

int
cpdb_elf_file_offset(const CpdbElf *e, uint64_t vaddr, uint64_t *off)
{
    for (size_t i = 0; i < e->n_phdrs; i++) {
        const Elf64_Phdr *p = &e->phdrs[i];

        if (p->p_type == PT_LOAD && vaddr >= p->p_vaddr
            && vaddr - p->p_vaddr < p->p_filesz) {
            *off = vaddr - p->p_vaddr + p->p_offset;
            return 0;
        }
    }
    return -1;
}

int
cpdb_elf_pread(const CpdbElf *e, uint64_t off, void *buf, size_t n)
{
    return read_all(e->fd, off, buf, n);
}
