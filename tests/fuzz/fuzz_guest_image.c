/* libFuzzer target: the Multiboot v1 guest kernel parser. Whatever it
 * accepts must describe segments inside the file and the RAM window. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/guest_image.h>

#define RAM_LO 0x100000ULL
#define RAM_HI 0x4000000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_image gi;
	const char *err = NULL;
	u8 *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (guest_image_parse(copy, size, RAM_LO, RAM_HI, &gi, &err)) {
		if (gi.nr_segs == 0 || gi.nr_segs > GUEST_IMAGE_MAX_SEGS)
			abort();
		for (unsigned i = 0; i < gi.nr_segs; i++) {
			const struct guest_image_seg *s = &gi.seg[i];
			if (s->file_off + s->file_len > size || s->file_len > s->mem_len)
				abort();
			if (s->gpa < RAM_LO || s->gpa + s->mem_len > RAM_HI)
				abort();
			(void)copy[s->file_len ? s->file_off + s->file_len - 1 : 0];
		}
	} else if (!err || !*err) {
		abort();
	}
	free(copy);
	return 0;
}
