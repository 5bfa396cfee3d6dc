/* The Bochs/QEMU VBE display adapter ("-vga std": PCI 1234:1111), driven
 * through its DISPI registers (index/data ports 0x1CE/0x1CF, Bochs
 * vbe.h / QEMU docs/specs/standard-vga.rst) with the linear framebuffer
 * at PCI BAR 0. */
#ifndef BULKHEAD_BOCHS_VBE_H
#define BULKHEAD_BOCHS_VBE_H

#include <bulkhead/fb.h>

/* The adapter's framebuffer address (BAR 0) without touching its mode;
 * false with *why if there is no adapter or its BAR is unusable. */
bool bochs_vbe_find(u64 *base, const char **why);
/* Finds the adapter on bus 0 and sets width x height x 32 bpp with the
 * linear framebuffer on; *s is the framebuffer and *pa its address. False
 * with *why if there is no adapter or it cannot show that mode. */
bool bochs_vbe_setup(u32 width, u32 height, struct fb_surface *s, u64 *pa, const char **why);

#endif
