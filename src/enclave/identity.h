/* Who is on the other end of a connection: peer credentials, the policy file, client ids. */
#ifndef ENCLAVE_IDENTITY_H
#define ENCLAVE_IDENTITY_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

typedef enum enclave_role {
    ENCLAVE_ROLE_CLIENT = 0,    /* its client id is derived from its uid */
    ENCLAVE_ROLE_FORWARDER = 1, /* may assert the client id of a caller it serves */
    ENCLAVE_ROLE_REFUSED = 2,   /* every call answered with PSA_ERROR_CONNECTION_REFUSED */
} enclave_role_t;

typedef struct enclave_policy enclave_policy_t;

/*
 * Policy file (docs/rssd.md): one rule per line, '#' starts a comment.
 *   uid <number|user name> client|forwarder|refused
 *   default client|refused
 * Later rules for the same uid replace earlier ones. path NULL: the built-in policy (everyone is a
 * client). Errors name the line in *error_line (0 when the file cannot be read).
 */
psa_status_t enclave_policy_load(const char *path, enclave_policy_t **out, unsigned *error_line);
/* Parses a policy from an open stream (NULL: the built-in policy); a malformed line gives
 * PSA_ERROR_INVALID_ARGUMENT with its number in *error_line, and no policy. */
psa_status_t enclave_policy_read(FILE *f, enclave_policy_t **out, unsigned *error_line);

/* What is wrong with a policy file, for a message: the line (0 when the file could not be
 * read) and a sentence naming the word at fault. */
typedef struct enclave_policy_error {
    unsigned line;
    char text[192];
} enclave_policy_error_t;
/* enclave_policy_load and enclave_policy_read, with the sentence. */
psa_status_t enclave_policy_load_explained(const char *path, enclave_policy_t **out,
                                           enclave_policy_error_t *error);
psa_status_t enclave_policy_read_explained(FILE *f, enclave_policy_t **out,
                                           enclave_policy_error_t *error);

void enclave_policy_free(enclave_policy_t *policy);
/* Safe while another thread replaces the policy (a read lock inside). */
enclave_role_t enclave_policy_role(const enclave_policy_t *policy, uid_t uid);
const char *enclave_role_name(enclave_role_t role);

/* SIGHUP: gives `live` the rules of `fresh` in one step, so every lookup sees the old policy or
 * the new one; `fresh` then holds the old rules (for enclave_policy_diff, then to be freed). */
void enclave_policy_replace(enclave_policy_t *live, enclave_policy_t *fresh);
/* Calls changed() for each uid named in either policy whose role differs between them, and
 * tells whether the role of the uids neither names (the default) differs. */
typedef void (*enclave_policy_change_fn)(uid_t uid, enclave_role_t before, enclave_role_t after,
                                         void *ctx);
void enclave_policy_diff(const enclave_policy_t *before, const enclave_policy_t *after,
                         enclave_policy_change_fn changed, void *ctx, bool *default_changed);

/*
 * A uid's client id: -(0x10000 + uid). A pure function of the uid, so ids are stable across
 * restarts without a table that could be lost or corrupted; negative as TF-M's non-secure
 * client ids are; and ids -1..-0xFFFF stay free for forwarders that map small ids (FF-A endpoint
 * ids, mailbox header ids) as TF-M's mailbox agent does. uids above 0x7FFEFFFF have no id.
 */
#define ENCLAVE_CLIENT_ID_UID_BASE 0x10000
bool enclave_client_id_for_uid(uid_t uid, int32_t *client_id);
/* Ids a forwarder may assert: any negative id (0 and positive ids are TF-M's secure side). */
bool enclave_client_id_assertable(int32_t client_id);

/* The start time of a process (field 22 of /proc/<pid>/stat, clock ticks since boot), which
 * with the pid names a process for the whole uptime even if the pid is reused later. */
bool enclave_process_start_time(pid_t pid, uint64_t *start_time);

/*
 * The pid-reuse window: a process connects and exits, its pid is reused, and rssd then reads the
 * start time of the new process. With SO_PEERPIDFD rssd holds a pidfd of the process that really
 * connected and checks, after reading the start time, that this process is still alive with that
 * pid; the start time read is then its own. enclave_peer_pidfd returns -1 on kernels without
 * SO_PEERPIDFD (before 6.5), where the window stays (docs/rssd.md).
 */
int enclave_peer_pidfd(int sock);
/* Whether the process of pidfd is alive and has pid `pid` (from /proc/self/fdinfo). */
bool enclave_pidfd_is(int pidfd, pid_t pid);

#endif /* ENCLAVE_IDENTITY_H */
