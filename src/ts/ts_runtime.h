/* Where TS endpoints live on Linux (DESIGN.md, "TS RPC on Linux"). */
#ifndef TS_RUNTIME_H
#define TS_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

/* The TS runtime directory: $TS_RUNTIME_DIR, else /run/ts for root, else $XDG_RUNTIME_DIR/ts;
 * false if none applies or it does not fit in size bytes. */
bool ts_runtime_dir(char *out, size_t size);

/* smm-gateway's socket as its clients find it: $SMM_GATEWAY_SOCKET, else smm-gateway.sock in
 * the TS runtime directory; false if neither gives a path that fits. */
bool ts_runtime_smm_gateway(char *out, size_t size);

/* The default socket of an endpoint daemon: `file` in the TS runtime directory, which is created
 * 0755 if missing. 0, or the daemon's exit status after a message on stderr naming `program`:
 * 2 when there is no runtime directory to use, 1 when it cannot be created. */
int ts_runtime_socket(const char *program, const char *file, char *out, size_t size);

#endif /* TS_RUNTIME_H */
