/* libFuzzer target: IVRS parsing (hv/arch/x86/iommu/ivrs.c). The input is
 * the table itself; a refused table must come with a reason, and every range
 * an accepted one yields must be well formed and findable. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/amd_vi_ivrs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ivrs_info info;
	const char *err = NULL;
	u8 *copy;

	if (size > 0xffffff)
		return 0;
	copy = malloc(size ? size : 1); /* exact size: ASan sees any overread */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!ivrs_parse(copy, (u32)size, &info, &err)) {
		if (!err || !*err)
			abort();
	} else {
		if (info.nr_iommus == 0 || info.nr_iommus > IVRS_MAX_IOMMUS ||
		    info.nr_ranges > IVRS_MAX_RANGES)
			abort();
		for (u32 i = 0; i < info.nr_ranges; i++) {
			const struct ivrs_range *r = &info.ranges[i];

			if (r->first > r->last || r->iommu >= info.nr_iommus ||
			    !ivrs_find(&info, r->segment, r->first))
				abort();
		}
	}
	free(copy);
	return 0;
}
