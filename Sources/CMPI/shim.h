// The MPI calls ScoreKitMPI makes, as plain functions: MPI_COMM_WORLD, MPI_BYTE and their kind
// are macros that Swift cannot import. Standard MPI only (Open MPI or MPICH).
#include <mpi.h>

// MPI_Init_thread with calls from one thread at a time (SERIALIZED); returns MPI's error code.
static inline int scorekit_mpi_init(void) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) return MPI_SUCCESS;
    int provided = 0;
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
}

static inline int scorekit_mpi_finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    return finalized ? MPI_SUCCESS : MPI_Finalize();
}

static inline int scorekit_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

static inline int scorekit_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

// Every rank's `count` into `counts` (one per rank).
static inline int scorekit_mpi_allgather_count(long long count, long long *counts) {
    return MPI_Allgather(&count, 1, MPI_LONG_LONG, counts, 1, MPI_LONG_LONG, MPI_COMM_WORLD);
}

// Every rank's `count` bytes at `send` into `receive` at `displacements`, rank order.
static inline int scorekit_mpi_allgatherv_bytes(
    const void *send, int count, void *receive, const int *counts, const int *displacements) {
    return MPI_Allgatherv(send, count, MPI_BYTE, receive, counts, displacements, MPI_BYTE, MPI_COMM_WORLD);
}

static inline void scorekit_mpi_abort(int status) {
    MPI_Abort(MPI_COMM_WORLD, status);
}

static inline int scorekit_mpi_processor_name(char *name, int capacity) {
    if (capacity < MPI_MAX_PROCESSOR_NAME) return -1;
    int length = 0;
    MPI_Get_processor_name(name, &length);
    return length;
}
