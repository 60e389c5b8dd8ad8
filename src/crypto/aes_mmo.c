/* The Zigbee AES-MMO hash on libcrypto's AES-128-ECB (the construction is in aes_mmo.h). */
#include "aes_mmo.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core.h"

#define MMO_BLOCK 16u
/* Longest message: under 2^32 bits, so at most 2^29 - 1 bytes. */
#define MMO_MAX_BYTES (((uint64_t)1 << 29) - 1)
/* Messages of 2^16 bits or more take the long padding form. */
#define MMO_SHORT_LIMIT_BYTES ((uint64_t)1 << 13)

struct aes_mmo {
    uint8_t h[MMO_BLOCK];     /* chaining value, the next block's key */
    uint8_t block[MMO_BLOCK]; /* partial block */
    size_t num;               /* bytes in block */
    uint64_t total;           /* bytes hashed so far */
    EVP_CIPHER_CTX *ctx;
};

/* H = E(H, M) XOR M for one 16-byte block. */
static psa_status_t mmo_compress(aes_mmo_t *mmo, const uint8_t *m)
{
    uint8_t e[MMO_BLOCK];
    int n = 0;
    if (EVP_EncryptInit_ex2(mmo->ctx, NULL, mmo->h, NULL, NULL) != 1 ||
        EVP_EncryptUpdate(mmo->ctx, e, &n, m, MMO_BLOCK) != 1 || n != (int)MMO_BLOCK) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    for (size_t i = 0; i < MMO_BLOCK; i++) {
        mmo->h[i] = e[i] ^ m[i];
    }
    OPENSSL_cleanse(e, sizeof(e));
    return PSA_SUCCESS;
}

static aes_mmo_t *mmo_alloc(void)
{
    const EVP_CIPHER *aes = core_cipher_evp(PSA_KEY_TYPE_AES, 128, "ECB");
    if (aes == NULL) {
        return NULL;
    }
    aes_mmo_t *mmo = calloc(1, sizeof(*mmo));
    if (mmo == NULL) {
        return NULL;
    }
    mmo->ctx = EVP_CIPHER_CTX_new();
    if (mmo->ctx == NULL || EVP_EncryptInit_ex2(mmo->ctx, aes, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(mmo->ctx, 0) != 1) {
        aes_mmo_free(mmo);
        return NULL;
    }
    return mmo;
}

psa_status_t aes_mmo_new(aes_mmo_t **out)
{
    *out = mmo_alloc();
    return *out != NULL ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
}

psa_status_t aes_mmo_update(aes_mmo_t *mmo, const uint8_t *input, size_t input_length)
{
    if ((uint64_t)input_length > MMO_MAX_BYTES - mmo->total) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    mmo->total += input_length;
    while (input_length > 0) {
        size_t n = MMO_BLOCK - mmo->num;
        if (n > input_length) {
            n = input_length;
        }
        memcpy(mmo->block + mmo->num, input, n);
        mmo->num += n;
        input += n;
        input_length -= n;
        if (mmo->num == MMO_BLOCK) {
            psa_status_t status = mmo_compress(mmo, mmo->block);
            if (status != PSA_SUCCESS) {
                return status;
            }
            mmo->num = 0;
        }
    }
    return PSA_SUCCESS;
}

psa_status_t aes_mmo_final(aes_mmo_t *mmo, uint8_t *hash)
{
    /* The padding and length field, at most two blocks. */
    uint8_t pad[2 * MMO_BLOCK];
    uint64_t bits = mmo->total * 8;
    bool short_form = mmo->total < MMO_SHORT_LIMIT_BYTES;
    /* Bytes the length trailer takes at the end of the last block. */
    size_t trailer = short_form ? 2 : 6;
    size_t used = mmo->num + 1; /* message tail and the 0x80 byte */
    size_t length = used + trailer <= MMO_BLOCK ? MMO_BLOCK : 2 * MMO_BLOCK;
    memset(pad, 0, sizeof(pad));
    memcpy(pad, mmo->block, mmo->num);
    pad[mmo->num] = 0x80;
    uint8_t *t = pad + length - trailer;
    if (short_form) {
        t[0] = (uint8_t)(bits >> 8);
        t[1] = (uint8_t)bits;
    } else {
        t[0] = (uint8_t)(bits >> 24);
        t[1] = (uint8_t)(bits >> 16);
        t[2] = (uint8_t)(bits >> 8);
        t[3] = (uint8_t)bits;
        /* t[4], t[5]: the 16 zero bits */
    }
    psa_status_t status = mmo_compress(mmo, pad);
    if (status == PSA_SUCCESS && length == 2 * MMO_BLOCK) {
        status = mmo_compress(mmo, pad + MMO_BLOCK);
    }
    if (status == PSA_SUCCESS) {
        memcpy(hash, mmo->h, AES_MMO_LENGTH);
    }
    OPENSSL_cleanse(pad, sizeof(pad));
    return status;
}

psa_status_t aes_mmo_clone(const aes_mmo_t *source, aes_mmo_t **out)
{
    aes_mmo_t *mmo = mmo_alloc();
    *out = NULL;
    if (mmo == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    memcpy(mmo->h, source->h, sizeof(mmo->h));
    memcpy(mmo->block, source->block, sizeof(mmo->block));
    mmo->num = source->num;
    mmo->total = source->total;
    *out = mmo;
    return PSA_SUCCESS;
}

void aes_mmo_free(aes_mmo_t *mmo)
{
    if (mmo != NULL) {
        EVP_CIPHER_CTX_free(mmo->ctx);
        OPENSSL_cleanse(mmo, sizeof(*mmo));
        free(mmo);
    }
}
