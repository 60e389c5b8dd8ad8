/* parsec_serve: header checks, authentication, routing, body decode, dispatch, response. */
#include "parsec/parsec_serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/wire.h"
#include "parsec/parsec_ops.h"

/* Decoded request bodies can hold key material and plaintext: this allocator remembers each
 * block's size so it can wipe it before freeing. */
typedef struct serve_block {
    size_t size;
    max_align_t align[];
} serve_block_t;

static void *serve_alloc(void *data, size_t size)
{
    (void)data;
    if (size > SIZE_MAX - sizeof(serve_block_t)) {
        return NULL;
    }
    serve_block_t *b = malloc(sizeof(*b) + size);
    if (b == NULL) {
        return NULL;
    }
    b->size = size;
    return b->align;
}

static void serve_free(void *data, void *ptr)
{
    (void)data;
    if (ptr == NULL) {
        return;
    }
    serve_block_t *b = (serve_block_t *)((uint8_t *)ptr - offsetof(serve_block_t, align));
    OPENSSL_cleanse(ptr, b->size);
    free(b);
}

static ProtobufCAllocator serve_allocator = {serve_alloc, serve_free, NULL};

bool parsec_opcode_exists(uint32_t opcode)
{
    return parsec_op_find(opcode) != NULL;
}

size_t parsec_response_max(const parsec_ctx_t *ctx)
{
    return PARSEC_HEADER_SIZE + (size_t)ctx->config->buffer_size_limit;
}

/* Frees a result tree, wiping its top-level byte strings (signatures, plaintexts, keys). */
static void serve_result_free(ProtobufCMessage *result)
{
    if (result == NULL) {
        return;
    }
    const ProtobufCMessageDescriptor *d = result->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type == PROTOBUF_C_TYPE_BYTES && f->label == PROTOBUF_C_LABEL_NONE) {
            ProtobufCBinaryData *b = (ProtobufCBinaryData *)((uint8_t *)result + f->offset);
            if (b->data != NULL) {
                OPENSSL_cleanse(b->data, b->len);
            }
        }
    }
    protobuf_c_message_free_unpacked(result, NULL);
}

/* Authenticator outcome: the application identity, or a status. */
static parsec_status_t serve_authenticate(const parsec_ctx_t *ctx, const parsec_caller_t *caller,
                                          const parsec_header_t *hdr, const uint8_t *auth,
                                          char **app)
{
    *app = NULL;
    if (hdr->auth_type == PARSEC_AUTH_NONE) {
        return PARSEC_SUCCESS; /* auth bytes ignored, as Parsec does */
    }
    if (hdr->auth_type != ctx->config->auth_type) {
        return PARSEC_AUTHENTICATOR_NOT_REGISTERED;
    }
    if (hdr->auth_type == PARSEC_AUTH_UNIX_PEER) {
        char buf[16];
        if (hdr->auth_len != 4 || wire_load_u32(auth) != (uint32_t)caller->uid) {
            return PARSEC_AUTHENTICATION_ERROR;
        }
        snprintf(buf, sizeof(buf), "%u", (unsigned)caller->uid);
        *app = strdup(buf);
    } else {
        /* Direct: the name, as valid UTF-8 without NUL. */
        if (hdr->auth_len == 0 || memchr(auth, '\0', hdr->auth_len) != NULL) {
            return PARSEC_AUTHENTICATION_ERROR;
        }
        for (size_t i = 0; i < hdr->auth_len;) {
            uint8_t c = auth[i];
            size_t n = c < 0x80             ? 1
                       : (c & 0xE0) == 0xC0 ? 2
                       : (c & 0xF0) == 0xE0 ? 3
                       : (c & 0xF8) == 0xF0 ? 4
                                            : 0;
            uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
            if (n == 0 || i + n > hdr->auth_len) {
                return PARSEC_AUTHENTICATION_ERROR;
            }
            for (size_t k = 1; k < n; k++) {
                if ((auth[i + k] & 0xC0) != 0x80) {
                    return PARSEC_AUTHENTICATION_ERROR;
                }
                cp = (cp << 6) | (auth[i + k] & 0x3Fu);
            }
            /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
            if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
                cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return PARSEC_AUTHENTICATION_ERROR;
            }
            i += n;
        }
        *app = strndup((const char *)auth, hdr->auth_len);
    }
    return *app != NULL ? PARSEC_SUCCESS : PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
}

static parsec_status_t serve_request(const parsec_ctx_t *ctx, const parsec_caller_t *caller,
                                     const parsec_header_t *hdr, const uint8_t *body,
                                     const uint8_t *auth, ProtobufCMessage **result)
{
    char *app = NULL;
    ProtobufCMessage *operation = NULL;
    const parsec_op_t *op = parsec_op_find(hdr->opcode);
    parsec_status_t s = serve_authenticate(ctx, caller, hdr, auth, &app);
    if (s == PARSEC_SUCCESS && hdr->provider != PARSEC_PROVIDER_CORE &&
        hdr->provider != PARSEC_PROVIDER_TRUSTED_SERVICE) {
        s = PARSEC_PROVIDER_NOT_REGISTERED;
    }
    if (s == PARSEC_SUCCESS && op->provider != hdr->provider) {
        s = PARSEC_PSA_ERROR_NOT_SUPPORTED; /* core opcode to a crypto provider or back */
    }
    if (s == PARSEC_SUCCESS && (op->flags & PARSEC_OP_AUTH) && app == NULL) {
        s = PARSEC_NOT_AUTHENTICATED;
    }
    if (s == PARSEC_SUCCESS && (op->flags & PARSEC_OP_ADMIN) &&
        !parsec_config_is_admin(ctx->config, app)) {
        s = PARSEC_ADMIN_OPERATION;
    }
    if (s == PARSEC_SUCCESS) {
        operation = protobuf_c_message_unpack(op->operation, &serve_allocator, hdr->body_len, body);
        if (operation == NULL) {
            s = PARSEC_DESERIALIZING_BODY_FAILED;
        }
    }
    if (s == PARSEC_SUCCESS) {
        parsec_request_t rq = {
            .ctx = ctx,
            .header = hdr,
            .auth = app != NULL ? hdr->auth_type : PARSEC_AUTH_NONE,
            .app = app,
        };
        s = op->run != NULL ? op->run(&rq, operation, result)
                            : parsec_op_execute(&rq, op, operation, result);
    }
    if (operation != NULL) {
        protobuf_c_message_free_unpacked(operation, &serve_allocator);
    }
    free(app);
    return s;
}

parsec_status_t parsec_serve(const parsec_ctx_t *ctx, const parsec_caller_t *caller,
                             const uint8_t *req, size_t req_len, uint8_t *resp, size_t resp_size,
                             size_t *resp_len)
{
    parsec_header_t hdr;
    ProtobufCMessage *result = NULL;
    *resp_len = PARSEC_HEADER_SIZE;
    parsec_status_t s = parsec_header_decode(req, req_len, &hdr, parsec_opcode_exists);
    if (s == PARSEC_SUCCESS && hdr.body_len > ctx->config->body_len_limit) {
        s = PARSEC_BODY_SIZE_EXCEEDS_LIMIT;
    }
    if (s != PARSEC_SUCCESS || resp_size < PARSEC_HEADER_SIZE) {
        parsec_encode_read_error(s, resp);
        return s;
    }
    const uint8_t *body = req + PARSEC_HEADER_SIZE;
    s = serve_request(ctx, caller, &hdr, body, body + hdr.body_len, &result);

    /* Echo provider, session and opcode; content type is the accept type asked for. */
    parsec_header_t out = {
        .provider = hdr.provider,
        .session = hdr.session,
        .content_type = hdr.accept_type,
        .opcode = hdr.opcode,
    };
    if (s == PARSEC_SUCCESS) {
        size_t packed = result != NULL ? protobuf_c_message_get_packed_size(result) : 0;
        size_t room = resp_size - PARSEC_HEADER_SIZE;
        if (packed > ctx->config->buffer_size_limit || packed > room) {
            s = PARSEC_RESPONSE_TOO_LARGE;
        } else {
            if (packed > 0) {
                protobuf_c_message_pack(result, resp + PARSEC_HEADER_SIZE);
            }
            out.body_len = (uint32_t)packed;
            *resp_len = PARSEC_HEADER_SIZE + packed;
        }
    }
    serve_result_free(result);
    out.status = (uint16_t)s;
    parsec_header_encode_response(&out, resp);
    return s;
}
