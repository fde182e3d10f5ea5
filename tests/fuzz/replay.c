/* main() for fuzz targets built without libFuzzer: runs the target once on
 * every file named on the command line, and on every regular file of every
 * directory named (in name order, so runs are repeatable). */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* run the target on one file; -1 if it cannot be read */
static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (!f) {
        perror(path);
        return -1;
    }
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, cap);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        perror(path);
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

/* run every regular file of dir; returns the count, -1 on error */
static long
replay_dir(const char *dir)
{
    struct dirent **names;
    long count = 0;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        perror(dir);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
        char *p = xmalloc(len);
        struct stat st;
        snprintf(p, len, "%s/%s", dir, names[i]->d_name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            if (count >= 0 && replay_file(p) == 0)
                count++;
            else
                count = -1;
        }
        free(p);
        free(names[i]);
    }
    free(names);
    return count;
}

int
main(int argc, char **argv)
{
    long total = 0;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long n;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            status = 1;
            continue;
        }
        n = S_ISDIR(st.st_mode) ? replay_dir(argv[i])
                                : (replay_file(argv[i]) == 0 ? 1 : -1);
        if (n < 0)
            status = 1;
        else
            total += n;
    }
    printf("replayed %ld inputs\n", total);
    return status;
}
