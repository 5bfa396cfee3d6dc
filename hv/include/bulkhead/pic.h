/* The 8259A interrupt controller pair and its ELCR (Intel 8259A data sheet,
 * 231468-003; PIIX4 datasheet 12.2 for the ELCR). Linux uses the IOAPIC,
 * so the pair accepts programming and never raises an interrupt. */
#ifndef BULKHEAD_PIC_H
#define BULKHEAD_PIC_H

struct dev_host;
struct pic;

struct pic *pic_attach(struct dev_host *host, const char **err);

#endif
