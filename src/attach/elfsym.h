/* The dynamic symbols of an ELF file (64-bit, little-endian): where the
   injector finds dlopen in the target's own libc, and PyEval_SaveThread,
   Py_Version... in the file that holds the target's libpython. */
#ifndef CPDB_SRC_ATTACH_ELFSYM_H
#define CPDB_SRC_ATTACH_ELFSYM_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CpdbElf {
    int fd;
    Elf64_Half type;            /* ET_EXEC or ET_DYN */
    Elf64_Phdr *phdrs;          /* owned */
    size_t n_phdrs;
    Elf64_Sym *syms;            /* .dynsym, owned */
    size_t n_syms;
    char *strs;                 /* its string table, owned */
    size_t strs_size;
    Elf64_Half *versyms;        /* .gnu.version or NULL, owned */
} CpdbElf;

/* Open path and load its program headers and dynamic symbol table.
   Return: 0, or -1 with a reason ("not an ELF file", "no dynamic symbol
   table", strerror text) in err and errno set (ENOEXEC for a file that
   is not what we read).  Free with cpdb_elf_close. */
int cpdb_elf_open(const char *path, CpdbElf *e, char *err, size_t errlen);
void cpdb_elf_close(CpdbElf *e);

/* Find the defined dynamic symbol name; of several versions of it (glibc's
   dlopen@@GLIBC_2.34 and dlopen@GLIBC_2.2.5) the default one wins.
   Return: 0 with its link-time address in *value (and its size in *size
   when size is not NULL), or -1. */
int cpdb_elf_symbol(const CpdbElf *e, const char *name, uint64_t *value,
                    uint64_t *size);

/* Return: 0 with the file offset that holds link-time address vaddr in
   *off (from the PT_LOAD segments), or -1 when no segment of the file
   holds it. */
int cpdb_elf_file_offset(const CpdbElf *e, uint64_t vaddr, uint64_t *off);

/* Read n bytes at file offset off.  Return: 0 or -1. */
int cpdb_elf_pread(const CpdbElf *e, uint64_t off, void *buf, size_t n);

#endif
