// ScoreKit's only C dependency: the CBLAS interface of OpenBLAS, plus its thread control.
#include <cblas.h>
