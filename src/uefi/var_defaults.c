/* Platform default key databases read from a directory (var_defaults.h). */
#define _GNU_SOURCE
#include "uefi/var_defaults.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int var_read_defaults(const char *dir, size_t max_size, smm_default_var_t defaults[VAR_MAX_DEFAULTS],
                      size_t *count)
{
    static const char *const names[VAR_MAX_DEFAULTS] = {
        "PKDefault", "KEKDefault", "dbDefault", "dbxDefault", "dbtDefault", "dbrDefault"};
    *count = 0;
    for (size_t i = 0; i < VAR_MAX_DEFAULTS; i++) {
        char path[4096];
        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
            goto fail;
        }
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            if (errno == ENOENT) {
                continue;
            }
            goto fail;
        }
        /* A database larger than one variable cannot be served anyway. */
        uint8_t *data = malloc(max_size + 1);
        size_t n = data != NULL ? fread(data, 1, max_size + 1, f) : 0;
        bool bad = data == NULL || ferror(f) || n > max_size;
        fclose(f);
        if (bad) {
            free(data);
            goto fail;
        }
        defaults[*count] = (smm_default_var_t){.name = names[i], .data = data, .size = n};
        (*count)++;
    }
    return 0;
fail:
    var_free_defaults(defaults, *count);
    *count = 0;
    return -1;
}

void var_free_defaults(smm_default_var_t *defaults, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free((void *)defaults[i].data);
    }
}
