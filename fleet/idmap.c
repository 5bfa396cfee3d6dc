/* Chunk id -> first item of an index. */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t id_hash(const uint8_t *id)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h)); /* ids are SHA-256: already uniform */
	return h;
}

int idmap_build(struct idmap *m, const struct ca_index *x)
{
	m->x = x;
	m->cap = 16;
	while (m->cap < 2 * (x ? x->n : 0) + 16)
		m->cap *= 2;
	m->slot = malloc(m->cap * sizeof(*m->slot));
	if (!m->slot)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		m->slot[i] = -1;
	for (size_t i = 0; x && i < x->n; i++) {
		size_t h = (size_t)id_hash(x->items[i].id) & (m->cap - 1);

		while (m->slot[h] >= 0 && memcmp(x->items[m->slot[h]].id, x->items[i].id, 32))
			h = (h + 1) & (m->cap - 1);
		if (m->slot[h] < 0)
			m->slot[h] = (int64_t)i;
	}
	return 0;
}

int64_t idmap_find(const struct idmap *m, const uint8_t *id)
{
	size_t h = (size_t)id_hash(id) & (m->cap - 1);

	while (m->slot[h] >= 0) {
		if (!memcmp(m->x->items[m->slot[h]].id, id, 32))
			return m->slot[h];
		h = (h + 1) & (m->cap - 1);
	}
	return -1;
}

void idmap_free(struct idmap *m)
{
	free(m->slot);
	m->slot = NULL;
}
