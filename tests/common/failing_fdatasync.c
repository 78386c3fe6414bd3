/* A disk that fails on demand, for the tests: preloaded into the server
 * (LD_PRELOAD), it makes every fdatasync fail with EIO while the file named
 * by FAILING_SYNC_FLAG exists, and hands it to the kernel otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int fdatasync(int fd) {
    const char *flag = getenv("FAILING_SYNC_FLAG");
    if (flag != NULL && access(flag, F_OK) == 0) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fdatasync, fd);
}
