/* The hypervisor's built-in bitmap font: printable ASCII in 8x16 cells,
 * its own 5x7 design drawn with each row doubled (rows 1-14, columns 1-5),
 * so rows 0 and 15 and columns 0, 6 and 7 are always blank: characters
 * side by side or above each other never touch. */
#ifndef BULKHEAD_FONT_H
#define BULKHEAD_FONT_H

#include <bulkhead/types.h>

#define FONT_W 8U
#define FONT_H 16U

/* Row `row` (0..FONT_H-1) of c's glyph, bit 7 the leftmost pixel. A byte
 * outside printable ASCII (0x20-0x7e) gets a hollow box; a row past the
 * cell is blank. */
u8 font_row(u8 c, unsigned row);

#endif
