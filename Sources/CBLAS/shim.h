// ScoreKit's only C dependencies: the CBLAS interface of OpenBLAS with its thread control, and
// glibc's mallopt (tensor buffers are kept on the heap, see TensorStorage).
#include <cblas.h>
#include <malloc.h>
