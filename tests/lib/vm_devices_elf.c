/* The VM_DEVICE entries (symbols vm_device_NAME in sections
 * ".vm_devices.PRIO") at their loaded address: symbol value plus the load
 * bias from the program headers the kernel mapped (AT_PHDR). By symbol,
 * not by walking the section: a sanitizer pads globals. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "vm_devices_elf.h"

#define SEC_NAME_MAX 32

static void *read_at(FILE *f, u64 off, u64 len)
{
	void *p = malloc(len ? len : 1);

	if (p && fseek(f, (long)off, SEEK_SET) == 0 && fread(p, 1, len, f) == len)
		return p;
	free(p);
	return NULL;
}

/* Inserts dev, found in section sec, keeping out[] sorted by section name. */
static bool insert(const struct vm_device **out, char (*secs)[SEC_NAME_MAX], unsigned *n,
		   unsigned max, const struct vm_device *dev, const char *sec)
{
	unsigned at = *n;

	if (*n == max)
		return false;
	while (at > 0 && strcmp(secs[at - 1], sec) > 0) {
		out[at] = out[at - 1];
		memcpy(secs[at], secs[at - 1], SEC_NAME_MAX);
		at--;
	}
	out[at] = dev;
	snprintf(secs[at], SEC_NAME_MAX, "%s", sec);
	(*n)++;
	return true;
}

/* The entries of one symbol table; false if there are too many. */
static bool scan_symtab(const Elf64_Sym *sym, u64 nsym, const char *names,
			const Elf64_Shdr *sh, unsigned nsh, const char *shnames, uintptr_t bias,
			const struct vm_device **out, char (*secs)[SEC_NAME_MAX], unsigned *n,
			unsigned max)
{
	for (u64 k = 0; k < nsym; k++) {
		const char *sec;

		if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_shndx >= nsh ||
		    strncmp(names + sym[k].st_name, "vm_device_", 10) != 0)
			continue;
		sec = shnames + sh[sym[k].st_shndx].sh_name;
		if (strncmp(sec, ".vm_devices.", 12) == 0 &&
		    !insert(out, secs, n, max,
			    (const struct vm_device *)(bias + sym[k].st_value), sec))
			return false;
	}
	return true;
}

unsigned vm_devices_from_elf(const struct vm_device **out, unsigned max)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	char (*secs)[SEC_NAME_MAX] = calloc(max ? max : 1, SEC_NAME_MAX);
	Elf64_Ehdr eh;
	Elf64_Shdr *sh = NULL;
	char *shnames = NULL;
	uintptr_t bias = 0;
	unsigned n = 0;
	bool ok = f && secs && fread(&eh, sizeof(eh), 1, f) == 1;

	for (unsigned i = 0; ok && i < getauxval(AT_PHNUM); i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	ok = ok && (sh = read_at(f, eh.e_shoff, (u64)eh.e_shnum * sizeof(*sh))) &&
	     (shnames = read_at(f, sh[eh.e_shstrndx].sh_offset, sh[eh.e_shstrndx].sh_size));
	for (unsigned i = 0; ok && i < eh.e_shnum; i++) {
		Elf64_Sym *sym;
		char *names;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		sym = read_at(f, sh[i].sh_offset, sh[i].sh_size);
		names = read_at(f, sh[sh[i].sh_link].sh_offset, sh[sh[i].sh_link].sh_size);
		ok = sym && names &&
		     scan_symtab(sym, sh[i].sh_size / sizeof(*sym), names, sh, eh.e_shnum, shnames,
				 bias, out, secs, &n, max);
		free(names);
		free(sym);
	}
	free(shnames);
	free(sh);
	free(secs);
	if (f)
		fclose(f);
	return ok ? n : 0;
}
