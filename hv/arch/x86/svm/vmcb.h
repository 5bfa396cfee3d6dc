/* The Virtual Machine Control Block, AMD APM vol. 2 appendix B (layout),
 * 15.9-15.12 (intercepts), appendix C (exit codes). */
#ifndef BULKHEAD_SVM_VMCB_H
#define BULKHEAD_SVM_VMCB_H

#include <bulkhead/types.h>

struct vmcb_seg {
	u16 sel;
	u16 attrib; /* descriptor bits 40-47 and 52-55, packed (APM B.2) */
	u32 limit;
	u64 base;
} __packed;

struct vmcb_control {
	u32 intercept_cr;      /* 0x000: reads 0-15, writes 16-31 */
	u32 intercept_dr;      /* 0x004 */
	u32 intercept_exc;     /* 0x008: one bit per vector */
	u32 intercept_misc1;   /* 0x00c */
	u32 intercept_misc2;   /* 0x010 */
	u32 intercept_misc3;   /* 0x014 */
	u8 reserved1[0x3c - 0x18];
	u16 pause_threshold;   /* 0x03c */
	u16 pause_count;       /* 0x03e */
	u64 iopm_pa;           /* 0x040 */
	u64 msrpm_pa;          /* 0x048 */
	u64 tsc_offset;        /* 0x050 */
	u32 asid;              /* 0x058 */
	u8 tlb_control;        /* 0x05c */
	u8 reserved2[3];
	u64 vintr;             /* 0x060 */
	u64 int_shadow;        /* 0x068 */
	u64 exitcode;          /* 0x070 */
	u64 exitinfo1;         /* 0x078 */
	u64 exitinfo2;         /* 0x080 */
	u64 exitintinfo;       /* 0x088 */
	u64 np_enable;         /* 0x090 */
	u64 avic_apic_bar;     /* 0x098 */
	u64 ghcb_pa;           /* 0x0a0 */
	u64 eventinj;          /* 0x0a8 */
	u64 n_cr3;             /* 0x0b0 */
	u64 virt_ext;          /* 0x0b8 */
	u32 clean;             /* 0x0c0 */
	u32 reserved3;
	u64 nrip;              /* 0x0c8 */
	u8 insn_len;           /* 0x0d0 */
	u8 insn_bytes[15];
	u8 reserved4[0x400 - 0xe0];
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
	u8 reserved1[0xcb - 0xa0];
	u8 cpl;                /* 0x4cb */
	u32 reserved2;
	u64 efer;              /* 0x4d0 */
	u8 reserved3[0x148 - 0xd8];
	u64 cr4;               /* 0x548 */
	u64 cr3, cr0, dr7, dr6, rflags, rip;
	u8 reserved4[0x1d8 - 0x180];
	u64 rsp;               /* 0x5d8 */
	u64 s_cet, ssp, isst_addr;
	u64 rax;               /* 0x5f8 */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2;               /* 0x640 */
	u8 reserved5[0x268 - 0x248];
	u64 g_pat;             /* 0x668 */
	u64 dbgctl, br_from, br_to, lastexcpfrom, lastexcpto;
} __packed;

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
	u8 reserved[4096 - sizeof(struct vmcb_control) - sizeof(struct vmcb_save)];
} __packed;

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area size");
_Static_assert(__builtin_offsetof(struct vmcb_save, cpl) == 0xcb, "VMCB CPL offset");
_Static_assert(__builtin_offsetof(struct vmcb_save, efer) == 0xd0, "VMCB EFER offset");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr4) == 0x148, "VMCB CR4 offset");
_Static_assert(__builtin_offsetof(struct vmcb_save, rsp) == 0x1d8, "VMCB RSP offset");
_Static_assert(__builtin_offsetof(struct vmcb_save, rax) == 0x1f8, "VMCB RAX offset");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr2) == 0x240, "VMCB CR2 offset");
_Static_assert(__builtin_offsetof(struct vmcb_save, g_pat) == 0x268, "VMCB G_PAT offset");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

/* intercept_misc1 (APM B.1, offset 0x0c) */
#define INTERCEPT_INTR     (1U << 0)
#define INTERCEPT_NMI      (1U << 1)
#define INTERCEPT_SMI      (1U << 2)
#define INTERCEPT_INIT     (1U << 3)
#define INTERCEPT_VINTR    (1U << 4)
#define INTERCEPT_RDPMC    (1U << 15)
#define INTERCEPT_CPUID    (1U << 18)
#define INTERCEPT_IRET     (1U << 20)
#define INTERCEPT_INVD     (1U << 22)
#define INTERCEPT_HLT      (1U << 24)
#define INTERCEPT_IOIO     (1U << 27)
#define INTERCEPT_MSR      (1U << 28)
#define INTERCEPT_TASKSW   (1U << 29)
#define INTERCEPT_SHUTDOWN (1U << 31)
/* intercept_misc2 (offset 0x10) */
#define INTERCEPT_VMRUN    (1U << 0)
#define INTERCEPT_VMMCALL  (1U << 1)
#define INTERCEPT_VMLOAD   (1U << 2)
#define INTERCEPT_VMSAVE   (1U << 3)
#define INTERCEPT_STGI     (1U << 4)
#define INTERCEPT_CLGI     (1U << 5)
#define INTERCEPT_SKINIT   (1U << 6)
#define INTERCEPT_MONITOR  (1U << 10)
#define INTERCEPT_MWAIT    (1U << 11)
#define INTERCEPT_XSETBV   (1U << 13)

/* vintr (offset 0x60, APM 15.21.4) */
#define VINTR_V_IRQ          (1ULL << 8)
#define VINTR_PRIO_SHIFT     16
#define VINTR_IGN_TPR        (1ULL << 20)
#define VINTR_MASKING        (1ULL << 24)
#define VINTR_VECTOR_SHIFT   32

/* eventinj / exitintinfo (APM 15.20) */
#define EVENTINJ_VALID       (1ULL << 31)
#define EVENTINJ_ERR_VALID   (1ULL << 11)
#define EVENTINJ_TYPE_SHIFT  8

/* Exit codes (APM appendix C) */
#define SVM_EXIT_EXCP_BASE   0x40
#define SVM_EXIT_INTR        0x60
#define SVM_EXIT_NMI         0x61
#define SVM_EXIT_SMI         0x62
#define SVM_EXIT_INIT        0x63
#define SVM_EXIT_VINTR       0x64
#define SVM_EXIT_RDPMC       0x6f
#define SVM_EXIT_CPUID       0x72
#define SVM_EXIT_IRET        0x74
#define SVM_EXIT_INVD        0x76
#define SVM_EXIT_HLT         0x78
#define SVM_EXIT_IOIO        0x7b
#define SVM_EXIT_MSR         0x7c
#define SVM_EXIT_TASK_SWITCH 0x7d
#define SVM_EXIT_SHUTDOWN    0x7f
#define SVM_EXIT_VMRUN       0x80
#define SVM_EXIT_VMMCALL     0x81
#define SVM_EXIT_VMLOAD      0x82
#define SVM_EXIT_VMSAVE      0x83
#define SVM_EXIT_STGI        0x84
#define SVM_EXIT_CLGI        0x85
#define SVM_EXIT_SKINIT      0x86
#define SVM_EXIT_MONITOR     0x8a
#define SVM_EXIT_MWAIT       0x8b
#define SVM_EXIT_XSETBV      0x8d
#define SVM_EXIT_NPF         0x400
#define SVM_EXIT_INVALID     ((u64)-1)

/* IOIO exitinfo1 (APM 15.10.2) */
#define IOIO_TYPE_IN   (1U << 0)
#define IOIO_STR       (1U << 2)
#define IOIO_REP       (1U << 3)
#define IOIO_SZ_SHIFT  4 /* SZ8, SZ16, SZ32: one-hot bits 4-6 */
#define IOIO_A_SHIFT   7 /* A16, A32, A64: one-hot bits 7-9 */
#define IOIO_SEG_SHIFT 10
#define IOIO_PORT_SHIFT 16

/* NPF exitinfo1 (APM 15.25.6) */
#define NPF_WRITE        (1ULL << 1)
#define NPF_FETCH        (1ULL << 4)
#define NPF_FINAL_GPA    (1ULL << 32)
#define NPF_IN_WALK      (1ULL << 33)

#define MSR_VM_CR      0xc0010114U
#define VM_CR_SVMDIS   (1ULL << 4)
#define MSR_VM_HSAVE_PA 0xc0010117U

#endif
