/* Boot modules by name, for the configuration's kernel and initrd keys
 * (docs/configuration.md): a module's "name=" word, else the file part of
 * its first word, which is its path for QEMU's -initrd and GRUB's module2. */
#include <bulkhead/cmdline.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_conf.h>

bool vm_conf_module_name(const char *cmdline, char *name, size_t size)
{
	const char *w = cmdline_skip_spaces(cmdline);
	size_t n = cmdline_word_len(w);
	char val[VM_CONF_MODNAME_MAX + 1];

	name[0] = '\0';
	if (cmdline_get(vm_conf_module_args(cmdline), "name", val, sizeof(val))) {
		w = val;
		n = strlen(val);
	} else {
		for (size_t i = n; i > 0; i--) {
			if (w[i - 1] == '/') {
				w += i;
				n -= i;
				break;
			}
		}
	}
	if (n == 0 || n >= size)
		return false;
	memcpy(name, w, n);
	name[n] = '\0';
	return true;
}

const char *vm_conf_module_args(const char *cmdline)
{
	const char *w = cmdline_skip_spaces(cmdline);

	return cmdline_skip_spaces(w + cmdline_word_len(w));
}
