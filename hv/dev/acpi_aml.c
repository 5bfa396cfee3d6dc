/* A small AML writer: just the encodings the DSDT needs (ACPI 6.5 chapter
 * 20, "ACPI Machine Language (AML) Specification"). Bounded by the buffer;
 * any error makes a->ok false for good. */
#include <bulkhead/acpi_tables.h>
#include <bulkhead/string.h>

/* ACPI 6.5 20.2 opcodes */
#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_NAME_OP     0x08
#define AML_BYTE_PFX    0x0a
#define AML_WORD_PFX    0x0b
#define AML_DWORD_PFX   0x0c
#define AML_STRING_PFX  0x0d
#define AML_QWORD_PFX   0x0e
#define AML_SCOPE_OP    0x10
#define AML_BUFFER_OP   0x11
#define AML_PACKAGE_OP  0x12
#define AML_EXT_PFX     0x5b
#define AML_DEVICE_OP   0x82 /* after AML_EXT_PFX */
#define AML_ROOT_CHAR   0x5c /* '\' */
#define AML_PARENT_CHAR 0x5e /* '^' */
#define AML_DUAL_PFX    0x2e
#define AML_MULTI_PFX   0x2f
#define AML_NULL_NAME   0x00

#define PKGLEN_MAX 0x0fffffffU /* 28 bits (20.2.4) */

void aml_init(struct aml *a, u8 *buf, u32 cap)
{
	a->buf = buf;
	a->len = 0;
	a->cap = buf ? cap : 0;
	a->ok = true;
	a->depth = 0;
}

void aml_bytes(struct aml *a, const void *p, u32 n)
{
	if (!a->ok || n > a->cap - a->len) {
		a->ok = false;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void aml_byte(struct aml *a, u8 b)
{
	aml_bytes(a, &b, 1);
}

static void aml_le(struct aml *a, u64 v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		aml_byte(a, (u8)(v >> (8 * i)));
}

/* ComputationalData, 20.2.3: the shortest encoding, as iasl emits. */
void aml_int(struct aml *a, u64 v)
{
	if (v <= 1) {
		aml_byte(a, v ? AML_ONE_OP : AML_ZERO_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PFX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PFX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffffU) {
		aml_byte(a, AML_DWORD_PFX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PFX);
		aml_le(a, v, 8);
	}
}

/* String := StringPrefix AsciiCharList NullChar; AsciiChar is 0x01-0x7f. */
void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PFX);
	for (; *s; s++) {
		if ((u8)*s > 0x7f)
			a->ok = false;
		aml_byte(a, (u8)*s);
	}
	aml_byte(a, 0);
}

static u32 eisa_letter(char c, bool *ok)
{
	if (c < 'A' || c > 'Z')
		*ok = false;
	return (u32)(c - 0x40) & 0x1f;
}

static u32 eisa_hex(char c, bool *ok)
{
	if (c >= '0' && c <= '9')
		return (u32)(c - '0');
	if (c >= 'A' && c <= 'F')
		return (u32)(c - 'A' + 10);
	*ok = false;
	return 0;
}

/* A compressed EISA ID (ACPI 6.5 6.1.5, _HID): three letters in 5 bits
 * each, then four hex digits, stored big-endian in a DWord. */
void aml_eisaid(struct aml *a, const char *id)
{
	bool ok = strnlen(id, 8) == 7;
	u32 v;

	if (!ok) {
		a->ok = false;
		return;
	}
	v = eisa_letter(id[0], &ok) << 26 | eisa_letter(id[1], &ok) << 21 |
	    eisa_letter(id[2], &ok) << 16 | eisa_hex(id[3], &ok) << 12 |
	    eisa_hex(id[4], &ok) << 8 | eisa_hex(id[5], &ok) << 4 | eisa_hex(id[6], &ok);
	if (!ok)
		a->ok = false;
	aml_byte(a, AML_DWORD_PFX);
	aml_le(a, __builtin_bswap32(v), 4);
}

static bool name_char(char c, bool lead)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

/* NameString, 20.2.2: "\_SB.PCI0" or "^FOO" or "_S5"; segments shorter
 * than four characters are padded with '_' as ASL does. */
static void aml_namestring(struct aml *a, const char *path)
{
	u8 segs[8][4];
	unsigned n = 0;

	while (*path == '\\' || *path == '^')
		aml_byte(a, *path++ == '\\' ? AML_ROOT_CHAR : AML_PARENT_CHAR);
	while (*path) {
		unsigned i = 0;

		if (n == ARRAY_SIZE(segs)) {
			a->ok = false;
			return;
		}
		for (; *path && *path != '.'; path++, i++) {
			if (i == 4 || !name_char(*path, i == 0)) {
				a->ok = false;
				return;
			}
			segs[n][i] = (u8)*path;
		}
		if (i == 0) {
			a->ok = false;
			return;
		}
		for (; i < 4; i++)
			segs[n][i] = '_';
		n++;
		if (*path == '.' && !*++path)
			a->ok = false; /* trailing dot */
	}
	if (n == 0) {
		aml_byte(a, AML_NULL_NAME);
		return;
	}
	if (n == 2)
		aml_byte(a, AML_DUAL_PFX);
	if (n > 2) {
		aml_byte(a, AML_MULTI_PFX);
		aml_byte(a, (u8)n);
	}
	aml_bytes(a, segs, 4 * n);
}

void aml_name(struct aml *a, const char *path)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, path);
}

/* PkgLength, 20.2.4: reserve one byte now, widen it in aml_close. */
static void open_pkg(struct aml *a)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->ok = false;
		return;
	}
	a->open[a->depth++] = a->len;
	aml_byte(a, 0);
}

void aml_close(struct aml *a)
{
	u32 start, body, total;
	unsigned n;

	if (!a->ok)
		return;
	if (a->depth == 0) {
		a->ok = false;
		return;
	}
	start = a->open[--a->depth];
	body = a->len - start - 1;
	for (n = 1; n <= 4; n++) {
		u32 limit = n == 1 ? 0x3fU : (1U << (4 + 8 * (n - 1))) - 1;
		if (body <= limit - n)
			break;
	}
	if (n > 4 || body > PKGLEN_MAX - 4 || n - 1 > a->cap - a->len) {
		a->ok = false;
		return;
	}
	total = body + n;
	memmove(a->buf + start + n, a->buf + start + 1, body);
	a->len += n - 1;
	if (n == 1) {
		a->buf[start] = (u8)total;
		return;
	}
	a->buf[start] = (u8)((n - 1) << 6 | (total & 0xf));
	for (unsigned i = 1; i < n; i++)
		a->buf[start + i] = (u8)(total >> (4 + 8 * (i - 1)));
}

void aml_scope(struct aml *a, const char *path)
{
	aml_byte(a, AML_SCOPE_OP);
	open_pkg(a);
	aml_namestring(a, path);
}

void aml_device(struct aml *a, const char *path)
{
	aml_byte(a, AML_EXT_PFX);
	aml_byte(a, AML_DEVICE_OP);
	open_pkg(a);
	aml_namestring(a, path);
}

void aml_package(struct aml *a, u8 nr_elements)
{
	aml_byte(a, AML_PACKAGE_OP);
	open_pkg(a);
	aml_byte(a, nr_elements);
}

/* DefBuffer := BufferOp PkgLength BufferSize ByteList */
void aml_buffer(struct aml *a, const u8 *bytes, u32 n)
{
	aml_byte(a, AML_BUFFER_OP);
	open_pkg(a);
	aml_int(a, n);
	aml_bytes(a, bytes, n);
	aml_close(a);
}
