/* Types and values shared by the PSA Internal Trusted Storage and Protected Storage APIs (1.0). */
#ifndef PSA_STORAGE_COMMON_H
#define PSA_STORAGE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <psa/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags given when an object is created; only the values below are defined by the API. */
typedef uint32_t psa_storage_create_flags_t;

/* Identifier of a stored object; the whole 64-bit range except 0 is usable by each caller. */
typedef uint64_t psa_storage_uid_t;

struct psa_storage_info_t {
    size_t capacity;                  /* bytes reserved for the object */
    size_t size;                      /* bytes currently stored */
    psa_storage_create_flags_t flags; /* flags the object was created with */
};

#define PSA_STORAGE_FLAG_NONE                 0u
#define PSA_STORAGE_FLAG_WRITE_ONCE           (1u << 0)
#define PSA_STORAGE_FLAG_NO_CONFIDENTIALITY   (1u << 1)
#define PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION (1u << 2)

/* Returned by psa_ps_get_support() when psa_ps_create() and psa_ps_set_extended() work. */
#define PSA_STORAGE_SUPPORT_SET_EXTENDED (1u << 0)

#ifdef __cplusplus
}
#endif

#endif /* PSA_STORAGE_COMMON_H */
