/* parsec_serve: one Parsec request in, one response out, independent of any transport. */
#ifndef PARSEC_SERVE_H
#define PARSEC_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "parsec/parsec_config.h"
#include "parsec/parsec_kim.h"
#include "parsec/parsec_wire.h"

/*
 * Connection rule (Parsec's): one request per connection. The transport reads
 * PARSEC_PREFIX_SIZE bytes and then as many as parsec_frame asks for, with the configured
 * timeout for the whole request; when parsec_frame returns an error it sends
 * parsec_encode_read_error's 36 bytes instead of calling parsec_serve. Otherwise it calls
 * parsec_serve with the complete request, writes the response, and closes the connection. It
 * wipes both buffers afterwards (they may hold key material and plaintext).
 */

typedef struct parsec_ctx {
    const parsec_config_t *config;
    parsec_kim_t *kim;
} parsec_ctx_t;

/* Who is on the other end, from the transport (SO_PEERCRED). */
typedef struct parsec_caller {
    uid_t uid;
    pid_t pid;
} parsec_caller_t;

/* Bytes a response can take: header plus the configured largest body. */
size_t parsec_response_max(const parsec_ctx_t *ctx);

/*
 * Serves one complete request (as framed by parsec_frame) and writes the whole response into
 * resp (resp_size >= parsec_response_max). Returns the status the response carries; the
 * response is always written (*resp_len >= PARSEC_HEADER_SIZE).
 */
parsec_status_t parsec_serve(const parsec_ctx_t *ctx, const parsec_caller_t *caller,
                             const uint8_t *req, size_t req_len, uint8_t *resp, size_t resp_size,
                             size_t *resp_len);

/* True for an opcode of the protocol (whether or not parsecd serves it). */
bool parsec_opcode_exists(uint32_t opcode);

#endif /* PARSEC_SERVE_H */
