/* libts internals shared by the locator and the Linux caller. */
#ifndef LIBTS_INTERNAL_H
#define LIBTS_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* $TS_RUNTIME_DIR, else /run/ts for root, else $XDG_RUNTIME_DIR/ts; false if none applies. */
bool libts_runtime_dir(char *out, size_t size);

#endif /* LIBTS_INTERNAL_H */
