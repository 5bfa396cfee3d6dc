/* VMCS field encodings, control bits and exit reasons (Intel SDM vol. 3
 * appendix B for the encodings, 25.6-25.8 for the controls, appendix C for
 * the basic exit reasons). */
#ifndef BULKHEAD_VMX_VMCS_H
#define BULKHEAD_VMX_VMCS_H

/* 16-bit fields (B.1) */
#define VMCS_VPID               0x0000U
#define VMCS_GUEST_ES_SEL       0x0800U /* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_GUEST_LDTR_SEL     0x080cU
#define VMCS_GUEST_TR_SEL       0x080eU
#define VMCS_HOST_ES_SEL        0x0c00U
#define VMCS_HOST_CS_SEL        0x0c02U
#define VMCS_HOST_SS_SEL        0x0c04U
#define VMCS_HOST_DS_SEL        0x0c06U
#define VMCS_HOST_FS_SEL        0x0c08U
#define VMCS_HOST_GS_SEL        0x0c0aU
#define VMCS_HOST_TR_SEL        0x0c0cU

/* 64-bit fields (B.2) */
#define VMCS_IO_BITMAP_A        0x2000U
#define VMCS_IO_BITMAP_B        0x2002U
#define VMCS_MSR_BITMAP         0x2004U
#define VMCS_TSC_OFFSET         0x2010U
#define VMCS_VIRTUAL_APIC_PAGE  0x2012U
#define VMCS_EPTP               0x201aU
#define VMCS_GUEST_PHYS_ADDR    0x2400U
#define VMCS_LINK_POINTER       0x2800U
#define VMCS_GUEST_DEBUGCTL     0x2802U
#define VMCS_GUEST_PAT          0x2804U
#define VMCS_GUEST_EFER         0x2806U
#define VMCS_HOST_PAT           0x2c00U
#define VMCS_HOST_EFER          0x2c02U

/* 32-bit fields (B.3) */
#define VMCS_PIN_CTLS           0x4000U
#define VMCS_PROC_CTLS          0x4002U
#define VMCS_EXCEPTION_BITMAP   0x4004U
#define VMCS_CR3_TARGET_COUNT   0x400aU
#define VMCS_EXIT_CTLS          0x400cU
#define VMCS_EXIT_MSR_STORE_CNT 0x400eU
#define VMCS_EXIT_MSR_LOAD_CNT  0x4010U
#define VMCS_ENTRY_CTLS         0x4012U
#define VMCS_ENTRY_MSR_LOAD_CNT 0x4014U
#define VMCS_ENTRY_INTR_INFO    0x4016U
#define VMCS_ENTRY_EXC_ERROR    0x4018U
#define VMCS_ENTRY_INSN_LEN     0x401aU
#define VMCS_TPR_THRESHOLD      0x401cU
#define VMCS_PROC_CTLS2         0x401eU
#define VMCS_INSN_ERROR         0x4400U
#define VMCS_EXIT_REASON        0x4402U
#define VMCS_EXIT_INTR_INFO     0x4404U
#define VMCS_EXIT_INTR_ERROR    0x4406U
#define VMCS_IDT_VECT_INFO      0x4408U
#define VMCS_IDT_VECT_ERROR     0x440aU
#define VMCS_EXIT_INSN_LEN      0x440cU
#define VMCS_EXIT_INSN_INFO     0x440eU
#define VMCS_GUEST_ES_LIMIT     0x4800U /* ES .. TR: +2 each, then GDTR, IDTR */
#define VMCS_GUEST_LDTR_LIMIT   0x480cU
#define VMCS_GUEST_TR_LIMIT     0x480eU
#define VMCS_GUEST_GDTR_LIMIT   0x4810U
#define VMCS_GUEST_IDTR_LIMIT   0x4812U
#define VMCS_GUEST_ES_AR        0x4814U /* ES .. TR: +2 each */
#define VMCS_GUEST_LDTR_AR      0x4820U
#define VMCS_GUEST_TR_AR        0x4822U
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824U
#define VMCS_GUEST_ACTIVITY     0x4826U
#define VMCS_GUEST_SYSENTER_CS  0x482aU
#define VMCS_PREEMPT_TIMER      0x482eU /* VMX-preemption timer value */
#define VMCS_HOST_SYSENTER_CS   0x4c00U

/* Natural-width fields (B.4) */
#define VMCS_CR0_MASK           0x6000U
#define VMCS_CR4_MASK           0x6002U
#define VMCS_CR0_SHADOW         0x6004U
#define VMCS_CR4_SHADOW         0x6006U
#define VMCS_EXIT_QUAL          0x6400U
#define VMCS_GUEST_LINEAR_ADDR  0x640aU
#define VMCS_GUEST_CR0          0x6800U
#define VMCS_GUEST_CR3          0x6802U
#define VMCS_GUEST_CR4          0x6804U
#define VMCS_GUEST_ES_BASE      0x6806U /* ES .. TR: +2 each, then GDTR, IDTR */
#define VMCS_GUEST_LDTR_BASE    0x6812U
#define VMCS_GUEST_TR_BASE      0x6814U
#define VMCS_GUEST_GDTR_BASE    0x6816U
#define VMCS_GUEST_IDTR_BASE    0x6818U
#define VMCS_GUEST_DR7          0x681aU
#define VMCS_GUEST_RSP          0x681cU
#define VMCS_GUEST_RIP          0x681eU
#define VMCS_GUEST_RFLAGS       0x6820U
#define VMCS_GUEST_PENDING_DBG  0x6822U
#define VMCS_HOST_CR0           0x6c00U
#define VMCS_HOST_CR3           0x6c02U
#define VMCS_HOST_CR4           0x6c04U
#define VMCS_HOST_FS_BASE       0x6c06U
#define VMCS_HOST_GS_BASE       0x6c08U
#define VMCS_HOST_TR_BASE       0x6c0aU
#define VMCS_HOST_GDTR_BASE     0x6c0cU
#define VMCS_HOST_IDTR_BASE     0x6c0eU
#define VMCS_HOST_RSP           0x6c14U
#define VMCS_HOST_RIP           0x6c16U

/* Pin-based controls (25.6.1) */
#define PIN_EXT_INTR_EXIT       (1U << 0)
#define PIN_NMI_EXIT            (1U << 3)
#define PIN_VIRTUAL_NMIS        (1U << 5)
#define PIN_PREEMPT_TIMER       (1U << 6)
/* Primary processor-based controls (25.6.2) */
#define PROC_INTR_WINDOW        (1U << 2)
#define PROC_TSC_OFFSET         (1U << 3)
#define PROC_HLT_EXIT           (1U << 7)
#define PROC_MWAIT_EXIT         (1U << 10)
#define PROC_RDPMC_EXIT         (1U << 11)
#define PROC_TPR_SHADOW         (1U << 21)
#define PROC_NMI_WINDOW         (1U << 22)
#define PROC_IO_BITMAPS         (1U << 25)
#define PROC_MSR_BITMAPS        (1U << 28)
#define PROC_MONITOR_EXIT       (1U << 29)
#define PROC_SECONDARY          (1U << 31)
/* Secondary processor-based controls (25.6.2) */
#define PROC2_EPT               (1U << 1)
#define PROC2_RDTSCP            (1U << 3)
#define PROC2_VPID              (1U << 5)
#define PROC2_UNRESTRICTED      (1U << 7)
#define PROC2_INVPCID           (1U << 12)
/* VM-exit controls (25.7.1) */
#define EXIT_HOST_64            (1U << 9)
#define EXIT_SAVE_PAT           (1U << 18)
#define EXIT_LOAD_PAT           (1U << 19)
#define EXIT_SAVE_EFER          (1U << 20)
#define EXIT_LOAD_EFER          (1U << 21)
/* VM-entry controls (25.8.1) */
#define ENTRY_IA32E_GUEST       (1U << 9)
#define ENTRY_LOAD_PAT          (1U << 14)
#define ENTRY_LOAD_EFER         (1U << 15)

/* Interruption information: VM-entry (25.8.3), VM-exit and IDT-vectoring
 * (25.9.2-25.9.3) share the layout. Types as struct vcpu_event's, plus
 * 5 (privileged software exception) and 6 (software exception). */
#define INTR_INFO_VECTOR(x)     ((u8)(x))
#define INTR_INFO_TYPE(x)       (((x) >> 8) & 7U)
#define INTR_INFO_ERR_VALID     (1U << 11)
#define INTR_INFO_VALID         (1U << 31)
#define INTR_TYPE_NMI           2U
#define INTR_TYPE_SW_EXCEPTION  6U

/* Guest interruptibility state (25.4.2) */
#define INTERRUPTIBILITY_STI    (1U << 0)
#define INTERRUPTIBILITY_MOVSS  (1U << 1)
#define INTERRUPTIBILITY_NMI    (1U << 3)

/* Segment access rights (25.4.1): the descriptor's attribute bits as in
 * x86_seg_state, with bits 11:8 moved to 15:12, and "unusable". */
#define VMX_AR_UNUSABLE         (1U << 16)

/* Basic exit reasons (appendix C); bit 31 of the exit reason: the
 * VM entry failed (27.8). */
#define VMX_EXIT_EXCEPTION_NMI  0U
#define VMX_EXIT_EXT_INTR       1U
#define VMX_EXIT_TRIPLE_FAULT   2U
#define VMX_EXIT_INIT           3U
#define VMX_EXIT_SIPI           4U
#define VMX_EXIT_SMI            6U
#define VMX_EXIT_INTR_WINDOW    7U
#define VMX_EXIT_NMI_WINDOW     8U
#define VMX_EXIT_TASK_SWITCH    9U
#define VMX_EXIT_CPUID          10U
#define VMX_EXIT_GETSEC         11U
#define VMX_EXIT_HLT            12U
#define VMX_EXIT_INVD           13U
#define VMX_EXIT_RDPMC          15U
#define VMX_EXIT_VMCALL         18U
#define VMX_EXIT_VMCLEAR        19U /* 19-27: the VMX instructions */
#define VMX_EXIT_VMXON          27U
#define VMX_EXIT_CR_ACCESS      28U
#define VMX_EXIT_IO             30U
#define VMX_EXIT_RDMSR          31U
#define VMX_EXIT_WRMSR          32U
#define VMX_EXIT_BAD_GUEST      33U
#define VMX_EXIT_BAD_MSR_LOAD   34U
#define VMX_EXIT_MWAIT          36U
#define VMX_EXIT_MONITOR        39U
#define VMX_EXIT_MACHINE_CHECK  41U
#define VMX_EXIT_EPT_VIOLATION  48U
#define VMX_EXIT_EPT_MISCONFIG  49U
#define VMX_EXIT_PREEMPT_TIMER  52U
#define VMX_EXIT_INVEPT         50U
#define VMX_EXIT_INVVPID        53U
#define VMX_EXIT_XSETBV         55U
#define VMX_EXIT_ENTRY_FAILED   (1U << 31)

/* I/O exit qualification (27.2.1, table 27-5) */
#define IO_QUAL_SIZE(q)         ((u8)(((q) & 7U) + 1))
#define IO_QUAL_IN              (1U << 3)
#define IO_QUAL_STRING          (1U << 4)
#define IO_QUAL_REP             (1U << 5)
#define IO_QUAL_PORT(q)         ((u16)((q) >> 16))
/* EPT violation exit qualification (27.2.1, table 27-7) */
#define EPT_QUAL_READ           (1U << 0)
#define EPT_QUAL_WRITE          (1U << 1)
#define EPT_QUAL_FETCH          (1U << 2)

#endif
