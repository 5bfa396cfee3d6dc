/* IVRS parsing (amd_vi_ivrs.h), AMD IOMMU specification 48882 rev 3.x, 5.2:
 * the IVRS header (5.2.1), IVHD blocks of types 10h, 11h and 40h (5.2.2)
 * with their device entries (5.2.2.2, table 96), IVMD blocks skipped. */
#include <bulkhead/amd_vi_ivrs.h>
#include <bulkhead/string.h>

#define IVRS_HDR_LEN  48 /* ACPI header 36 + IVinfo 4 + reserved 8 */
#define IVHD10_HDR_LEN 24
#define IVHD11_HDR_LEN 40

/* IVHD device entry types (48882 table 96) */
#define DEV_PAD          0
#define DEV_ALL          1
#define DEV_SELECT       2
#define DEV_RANGE_START  3
#define DEV_RANGE_END    4
#define DEV_ALIAS_SELECT 66
#define DEV_ALIAS_RANGE  67
#define DEV_EXT_SELECT   70
#define DEV_EXT_RANGE    71
#define DEV_SPECIAL      72
#define SPECIAL_IOAPIC   1
#define DEV_ACPI_HID     240

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static bool ivhd_type_known(u8 type)
{
	return type == 0x10 || type == 0x11 || type == 0x40;
}

/* Length of the device entry at e (room bytes left in the block), 0 if
 * it is malformed: types 0-63 take 4 bytes, 64-127 take 8, 240 (ACPI HID)
 * 22 plus its UID length; other variable-length types are not defined. */
static u32 entry_len(const u8 *e, u32 room)
{
	u32 n;

	if (e[0] < 128)
		n = 4U << (e[0] >> 6);
	else if (e[0] == DEV_ACPI_HID && room >= 22)
		n = 22U + e[21];
	else
		return 0;
	return n <= room ? n : 0;
}

struct block_ctx {
	struct ivrs_info *out;
	u16 seg;
	u8 iommu;
	bool open;       /* a start-of-range entry waits for its end */
	u16 start, alias;
	bool has_alias;
};

static bool add_range(struct block_ctx *c, u16 first, u16 last, bool has_alias, u16 alias,
		      const char **err)
{
	struct ivrs_info *o = c->out;

	if (last < first) {
		*err = "ivrs: device range ends before it starts";
		return false;
	}
	if (o->nr_ranges == IVRS_MAX_RANGES) {
		*err = "ivrs: too many device ranges";
		return false;
	}
	o->ranges[o->nr_ranges++] = (struct ivrs_range){
		.segment = c->seg, .first = first, .last = last, .alias = alias,
		.iommu = c->iommu, .has_alias = has_alias,
	};
	return true;
}

static bool device_entry(struct block_ctx *c, const u8 *e, const char **err)
{
	u16 id = rd16(e + 1);

	switch (e[0]) {
	case DEV_ALL:
		return add_range(c, 0, 0xffff, false, 0, err);
	case DEV_SELECT:
	case DEV_EXT_SELECT:
		return add_range(c, id, id, false, 0, err);
	case DEV_ALIAS_SELECT:
		return add_range(c, id, id, true, rd16(e + 5), err);
	case DEV_RANGE_START:
	case DEV_EXT_RANGE:
	case DEV_ALIAS_RANGE:
		if (c->open) {
			*err = "ivrs: device range started twice";
			return false;
		}
		c->open = true;
		c->start = id;
		c->has_alias = e[0] == DEV_ALIAS_RANGE;
		c->alias = c->has_alias ? rd16(e + 5) : 0;
		return true;
	case DEV_RANGE_END:
		if (!c->open) {
			*err = "ivrs: device range ends without a start";
			return false;
		}
		c->open = false;
		return add_range(c, c->start, id, c->has_alias, c->alias, err);
	case DEV_SPECIAL:
		if (c->out->nr_special < IVRS_MAX_SPECIAL)
			c->out->special_devid[c->out->nr_special] = rd16(e + 5);
		c->out->nr_special++;
		if (e[7] == SPECIAL_IOAPIC) /* variety, byte 7 (IVRS 5.2.2.2 table 97) */
			c->out->has_ioapic = true;
		return true;
	default: /* padding, ACPI HID devices and reserved types carry no ID range */
		return true;
	}
}

static bool parse_ivhd(const u8 *b, u32 len, struct ivrs_info *out, const char **err)
{
	u32 hdr = b[0] == 0x10 ? IVHD10_HDR_LEN : IVHD11_HDR_LEN;
	struct block_ctx c = { .out = out };
	struct ivrs_iommu *m;
	u64 base;

	if (len < hdr) {
		*err = "ivrs: IVHD block shorter than its header";
		return false;
	}
	memcpy(&base, b + 8, 8);
	if (!base || (base & 0x3fffU)) {
		*err = "ivrs: IOMMU base address is 0 or not 16 KiB aligned";
		return false;
	}
	if (out->nr_iommus == IVRS_MAX_IOMMUS) {
		*err = "ivrs: too many IOMMUs";
		return false;
	}
	m = &out->iommus[out->nr_iommus];
	*m = (struct ivrs_iommu){ base, rd16(b + 16), rd16(b + 4), b[0] };
	c.seg = m->segment;
	c.iommu = (u8)out->nr_iommus++;
	for (u32 off = hdr; off < len;) {
		u32 n = entry_len(b + off, len - off);

		if (!n) {
			*err = "ivrs: malformed IVHD device entry";
			return false;
		}
		if (!device_entry(&c, b + off, err))
			return false;
		off += n;
	}
	if (c.open) {
		*err = "ivrs: device range without an end";
		return false;
	}
	return true;
}

/* Walks the blocks once, noting in *highest the highest known IVHD type;
 * when want is not 0, parses the IVHD blocks of type want. */
static bool walk(const u8 *t, u32 len, u8 want, u8 *highest, struct ivrs_info *out,
		 const char **err)
{
	for (u32 off = IVRS_HDR_LEN; off < len;) {
		const u8 *b = t + off;
		u32 blen;

		if (len - off < 4) {
			*err = "ivrs: truncated block header";
			return false;
		}
		blen = rd16(b + 2);
		if (blen < 4 || blen > len - off) {
			*err = "ivrs: block length runs past the table";
			return false;
		}
		if (ivhd_type_known(b[0]) && b[0] > *highest)
			*highest = b[0];
		if (want && b[0] == want && !parse_ivhd(b, blen, out, err))
			return false;
		off += blen;
	}
	return true;
}

bool ivrs_parse(const u8 *t, u32 len, struct ivrs_info *out, const char **err)
{
	u32 ivinfo, tlen;
	u8 highest = 0;

	memset(out, 0, sizeof(*out));
	if (len < IVRS_HDR_LEN || memcmp(t, "IVRS", 4)) {
		*err = "ivrs: not an IVRS table";
		return false;
	}
	memcpy(&tlen, t + 4, 4);
	if (tlen != len) {
		*err = "ivrs: table length disagrees with its header";
		return false;
	}
	memcpy(&ivinfo, t + 36, 4);
	out->va_size = (u8)((ivinfo >> 15) & 0x7f);
	if (!walk(t, len, 0, &highest, out, err))
		return false;
	if (!highest) {
		*err = "ivrs: no IVHD block";
		return false;
	}
	return walk(t, len, highest, &highest, out, err);
}

const struct ivrs_range *ivrs_find(const struct ivrs_info *info, u16 seg, u16 devid)
{
	const struct ivrs_range *hit = NULL;

	/* The latest entry wins: firmware lists "all" first, then exceptions. */
	for (u32 i = 0; i < info->nr_ranges; i++) {
		const struct ivrs_range *r = &info->ranges[i];

		if (r->segment == seg && devid >= r->first && devid <= r->last)
			hit = r;
	}
	return hit;
}
