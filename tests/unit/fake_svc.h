/* tests/unit/fake_svc.c: the service VM's ring device for host tests. */
#ifndef FAKE_SVC_H
#define FAKE_SVC_H

#include <bulkhead/svc.h>

extern struct svc_ring fake_svc_ring;
extern u8 *fake_svc_mem;
extern unsigned fake_svc_kicks;
extern u32 fake_svc_disk_state; /* what svc_disk_state() says of any disk */
void fake_svc_up(void);
void fake_svc_down(void);

#endif
