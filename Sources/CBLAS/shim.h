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
