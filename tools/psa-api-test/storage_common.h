/* Storage suites: the rules ITS and PS share, written once against a table of the four calls. */
#ifndef PSA_API_TEST_STORAGE_COMMON_H
#define PSA_API_TEST_STORAGE_COMMON_H

#include "runner.h"

typedef struct storage_api {
    psa_status_t (*set)(psa_storage_uid_t uid, size_t data_length, const void *p_data,
                        psa_storage_create_flags_t create_flags);
    psa_status_t (*get)(psa_storage_uid_t uid, size_t data_offset, size_t data_length,
                        void *p_data, size_t *p_data_length);
    psa_status_t (*get_info)(psa_storage_uid_t uid, struct psa_storage_info_t *p_info);
    psa_status_t (*remove)(psa_storage_uid_t uid);
    psa_storage_uid_t write_once_uid; /* kept forever: see runner.h */
    /* The service's largest object: the documented default, or the value of max_object_env. */
    size_t default_max_object;
    const char *max_object_env;
} storage_api_t;

typedef void (*storage_test_fn_t)(test_state_t *T, const storage_api_t *api);

/* One entry per shared rule; its.c and ps.c give each an id of their own. */
typedef struct storage_rule {
    const char *suffix; /* id number within the suite, e.g. "001" */
    const char *title;
    storage_test_fn_t fn;
} storage_rule_t;

extern const storage_rule_t storage_rules[];
extern const size_t storage_rule_count;

/* The write-once object's content: the same on every run, so later runs can check it. */
#define STORAGE_ONCE_DATA "psa-api-test write-once object, v1"

#endif /* PSA_API_TEST_STORAGE_COMMON_H */
