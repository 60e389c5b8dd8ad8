/* libpsa's connection to rssd: which socket it uses, why the last attempt to reach it failed,
 * which routing is in effect. */
#ifndef RSS_CONNECTION_H
#define RSS_CONNECTION_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * libpsa looks for rssd at $RSS_SOCKET when it is set; else at /run/rss/rss.sock for root; else
 * at $XDG_RUNTIME_DIR/rss/rss.sock and, when no socket file exists there, /run/rss/rss.sock.
 */

/* Writes the socket libpsa connects to now (NUL-terminated) into path: the first of the places
 * above whose socket file exists, else the first place. Returns its length, or 0 when it does not
 * fit in size bytes. */
size_t rss_connection_socket(char *path, size_t size);

/* Writes one line saying why this process's last attempt to connect to rssd failed, naming every
 * socket tried and the error there ("/run/rss/rss.sock: No such file or directory"), truncated to
 * size bytes. Returns the length of the whole line (as snprintf does); 0, with "" written, when
 * the last attempt succeeded or none was made. */
size_t rss_connection_error(char *text, size_t size);

/* The crypto routing libpsa uses in this process, as it reads $PSA_ROUTING (once, at the first
 * call): "split" for exactly "split", "enclave" for anything else (unset, "enclave", a typo). */
const char *rss_connection_routing(void);

#ifdef __cplusplus
}
#endif

#endif /* RSS_CONNECTION_H */
