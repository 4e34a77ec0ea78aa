// ScoreKit's only C dependencies: the CBLAS interface of OpenBLAS with its thread control, and
// glibc's mallopt (tensor buffers are kept on the heap, see TensorStorage).
#include <cblas.h>
#include <dlfcn.h>
#include <malloc.h>

// The widest OpenBLAS kernel family this CPU and its operating system support, for OpenBLAS
// builds that do not know the CPU's model: "SkylakeX" (AVX-512 F/BW/DQ/VL with the zmm state
// enabled), "Haswell" (AVX2 and FMA), or NULL. __builtin_cpu_supports checks the OS support too.
static inline const char *scorekit_cpu_openblas_core(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
        return "SkylakeX";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return "Haswell";
    }
#endif
    return NULL;
}

// Makes a DYNAMIC_ARCH OpenBLAS choose its kernels again (it reads OPENBLAS_CORETYPE when it
// does). The two functions are looked up at run time, so builds without them still link:
// returns 0 when OpenBLAS chose again, -1 when this OpenBLAS cannot.
static inline int scorekit_openblas_choose_core_again(void) {
    void *process = dlopen(NULL, RTLD_NOW);
    if (process == NULL) return -1;
    void (*quit)(void) = (void (*)(void))dlsym(process, "gotoblas_dynamic_quit");
    void (*init)(void) = (void (*)(void))dlsym(process, "gotoblas_dynamic_init");
    if (quit == NULL || init == NULL) return -1;
    quit();
    init();
    return 0;
}

// Flush-to-zero and denormals-are-zero on the calling thread (MXCSR's FTZ and DAZ bits on
// x86-64, FPCR's FZ bit on AArch64); returns the previous mode for
// scorekit_restore_floating_point_mode. Elsewhere it changes nothing.
static inline unsigned long long scorekit_flush_denormals(void) {
#if defined(__x86_64__)
    unsigned int saved = __builtin_ia32_stmxcsr();
    __builtin_ia32_ldmxcsr(saved | 0x8040u);
    return saved;
#elif defined(__aarch64__)
    unsigned long long saved;
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
    __asm__ volatile("msr fpcr, %0" : : "r"(saved | (1ull << 24)));
    return saved;
#else
    return 0;
#endif
}

static inline void scorekit_restore_floating_point_mode(unsigned long long saved) {
#if defined(__x86_64__)
    __builtin_ia32_ldmxcsr((unsigned int)saved);
#elif defined(__aarch64__)
    __asm__ volatile("msr fpcr, %0" : : "r"(saved));
#else
    (void)saved;
#endif
}
