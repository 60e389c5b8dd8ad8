/* Who is on the other end of a connection: peer credentials, the policy file, client ids. */
#ifndef DAEMON_IDENTITY_H
#define DAEMON_IDENTITY_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

typedef enum daemon_role {
    DAEMON_ROLE_CLIENT = 0,    /* its client id is derived from its uid */
    DAEMON_ROLE_FORWARDER = 1, /* may assert the client id of a caller it serves */
    DAEMON_ROLE_REFUSED = 2,   /* every call answered with PSA_ERROR_CONNECTION_REFUSED */
} daemon_role_t;

typedef struct daemon_policy daemon_policy_t;

/*
 * Policy file (docs/rssd.md): one rule per line, '#' starts a comment.
 *   uid <number|user name> client|forwarder|refused
 *   default client|refused
 * Later rules for the same uid replace earlier ones. path NULL: the built-in policy (everyone is a
 * client). Errors name the line in *error_line (0 when the file cannot be read).
 */
psa_status_t daemon_policy_load(const char *path, daemon_policy_t **out, unsigned *error_line);
/* Parses a policy from an open stream (NULL: the built-in policy); a malformed line gives
 * PSA_ERROR_INVALID_ARGUMENT with its number in *error_line, and no policy. */
psa_status_t daemon_policy_read(FILE *f, daemon_policy_t **out, unsigned *error_line);

/* What is wrong with a policy file, for a message: the line (0 when the file could not be
 * read) and a sentence naming the word at fault. */
typedef struct daemon_policy_error {
    unsigned line;
    char text[192];
} daemon_policy_error_t;
/* daemon_policy_load and daemon_policy_read, with the sentence. */
psa_status_t daemon_policy_load_explained(const char *path, daemon_policy_t **out,
                                          daemon_policy_error_t *error);
psa_status_t daemon_policy_read_explained(FILE *f, daemon_policy_t **out,
                                          daemon_policy_error_t *error);

void daemon_policy_free(daemon_policy_t *policy);
/* Safe while another thread replaces the policy (a read lock inside). */
daemon_role_t daemon_policy_role(const daemon_policy_t *policy, uid_t uid);
const char *daemon_role_name(daemon_role_t role);

/* SIGHUP: gives `live` the rules of `fresh` in one step, so every lookup sees the old policy or
 * the new one; `fresh` then holds the old rules (for daemon_policy_diff, then to be freed). */
void daemon_policy_replace(daemon_policy_t *live, daemon_policy_t *fresh);
/* Calls changed() for each uid named in either policy whose role differs between them, and
 * tells whether the role of the uids neither names (the default) differs. */
typedef void (*daemon_policy_change_fn)(uid_t uid, daemon_role_t before, daemon_role_t after,
                                        void *ctx);
void daemon_policy_diff(const daemon_policy_t *before, const daemon_policy_t *after,
                        daemon_policy_change_fn changed, void *ctx, bool *default_changed);

/*
 * A uid's client id: -(0x10000 + uid). A pure function of the uid, so ids are stable across
 * restarts without a table that could be lost or corrupted; negative as TF-M's non-secure
 * client ids are; and ids -1..-0xFFFF stay free for forwarders that map small ids (FF-A endpoint
 * ids, mailbox header ids) as TF-M's mailbox agent does. uids above 0x7FFEFFFF have no id.
 */
#define DAEMON_CLIENT_ID_UID_BASE 0x10000
bool daemon_client_id_for_uid(uid_t uid, int32_t *client_id);
/* Ids a forwarder may assert: any negative id (0 and positive ids are TF-M's secure side). */
bool daemon_client_id_assertable(int32_t client_id);

/* The start time of a process (field 22 of /proc/<pid>/stat, clock ticks since boot), which
 * with the pid names a process for the whole uptime even if the pid is reused later. */
bool daemon_process_start_time(pid_t pid, uint64_t *start_time);

/*
 * The pid-reuse window: a process connects and exits, its pid is reused, and the daemon then
 * reads the start time of the new process. With SO_PEERPIDFD the transport gives a pidfd of the
 * process that really connected (rss_peer_t.pidfd), and the daemon checks, after reading the
 * start time, that this process is still alive with that pid; the start time read is then its
 * own. Kernels before 6.5 give no pidfd, and the window stays (docs/rssd.md).
 */
/* Whether the process of pidfd is alive and has pid `pid` (from /proc/self/fdinfo). */
bool daemon_pidfd_is(int pidfd, pid_t pid);

#endif /* DAEMON_IDENTITY_H */
