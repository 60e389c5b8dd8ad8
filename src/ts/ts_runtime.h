/* Where TS endpoints live on Linux (DESIGN.md, "TS RPC on Linux"). */
#ifndef TS_RUNTIME_H
#define TS_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

/* The TS runtime directory: $TS_RUNTIME_DIR, else /run/ts for root, else $XDG_RUNTIME_DIR/ts;
 * false if none applies or it does not fit in size bytes. */
bool ts_runtime_dir(char *out, size_t size);

#endif /* TS_RUNTIME_H */
