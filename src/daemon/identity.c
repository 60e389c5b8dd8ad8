/* Peer identity: the policy file that gives each uid a role, client ids, process start times. */
#define _GNU_SOURCE
#include "daemon/identity.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct daemon_rule {
    uid_t uid;
    daemon_role_t role;
} daemon_rule_t;

struct daemon_policy {
    /* Read-locked by every lookup (connections being accepted), write-locked by
     * daemon_policy_replace; the fields below are read and written only under it. */
    pthread_rwlock_t lock;
    daemon_role_t default_role;
    size_t count;
    daemon_rule_t *rules;
};

static const char *const role_names[] = {"client", "forwarder", "refused"};

const char *daemon_role_name(daemon_role_t role)
{
    return (unsigned)role < 3 ? role_names[role] : "unknown";
}

static bool parse_role(const char *word, bool allow_forwarder, daemon_role_t *role)
{
    if (strcmp(word, "client") == 0) {
        *role = DAEMON_ROLE_CLIENT;
    } else if (strcmp(word, "refused") == 0) {
        *role = DAEMON_ROLE_REFUSED;
    } else if (allow_forwarder && strcmp(word, "forwarder") == 0) {
        *role = DAEMON_ROLE_FORWARDER;
    } else {
        return false;
    }
    return true;
}

/* A uid number, or a user name looked up now; otherwise false with the reason in error. */
static bool parse_uid(const char *word, uid_t *uid, daemon_policy_error_t *error)
{
    if (isdigit((unsigned char)word[0])) {
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(word, &end, 10);
        if (errno != 0 || *end != '\0' || v >= (unsigned long)(uid_t)-1) {
            snprintf(error->text, sizeof(error->text), "\"%.64s\" is not a uid", word);
            return false;
        }
        *uid = (uid_t)v;
        return true;
    }
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwnam_r(word, &pw, buf, sizeof(buf), &found) != 0 || found == NULL) {
        snprintf(error->text, sizeof(error->text),
                 "\"%.64s\" is neither a uid nor the name of a user", word);
        return false;
    }
    *uid = found->pw_uid;
    return true;
}

static psa_status_t policy_add(daemon_policy_t *p, uid_t uid, daemon_role_t role)
{
    for (size_t i = 0; i < p->count; i++) {
        if (p->rules[i].uid == uid) {
            p->rules[i].role = role;
            return PSA_SUCCESS;
        }
    }
    daemon_rule_t *rules = realloc(p->rules, (p->count + 1) * sizeof(*rules));
    if (rules == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    rules[p->count++] = (daemon_rule_t){.uid = uid, .role = role};
    p->rules = rules;
    return PSA_SUCCESS;
}

psa_status_t daemon_policy_load(const char *path, daemon_policy_t **out, unsigned *error_line)
{
    daemon_policy_error_t error;
    psa_status_t status = daemon_policy_load_explained(path, out, &error);
    *error_line = error.line;
    return status;
}

psa_status_t daemon_policy_load_explained(const char *path, daemon_policy_t **out,
                                          daemon_policy_error_t *error)
{
    FILE *f = NULL;
    if (path != NULL && (f = fopen(path, "re")) == NULL) {
        error->line = 0;
        snprintf(error->text, sizeof(error->text), "cannot read it: %s", strerror(errno));
        return PSA_ERROR_STORAGE_FAILURE;
    }
    psa_status_t status = daemon_policy_read_explained(f, out, error);
    if (f != NULL) {
        fclose(f);
    }
    return status;
}

psa_status_t daemon_policy_read(FILE *f, daemon_policy_t **out, unsigned *error_line)
{
    daemon_policy_error_t error;
    psa_status_t status = daemon_policy_read_explained(f, out, &error);
    *error_line = error.line;
    return status;
}

/* One line's words (comment stripped) into a rule of p; false with the reason in error. */
static bool parse_line(daemon_policy_t *p, char *line, daemon_policy_error_t *error,
                       psa_status_t *status)
{
    char *hash = strchr(line, '#');
    if (hash != NULL) {
        *hash = '\0';
    }
    char *save = NULL;
    char *w1 = strtok_r(line, " \t\r\n", &save);
    if (w1 == NULL) {
        return true;
    }
    char *w2 = strtok_r(NULL, " \t\r\n", &save);
    char *w3 = strtok_r(NULL, " \t\r\n", &save);
    char *w4 = strtok_r(NULL, " \t\r\n", &save);
    daemon_role_t role;
    uid_t uid;
    if (strcmp(w1, "uid") == 0) {
        if (w2 == NULL || w3 == NULL) {
            snprintf(error->text, sizeof(error->text),
                     "\"uid\" takes a uid or user name and a role (client, forwarder, refused)");
            return false;
        }
        if (!parse_uid(w2, &uid, error)) {
            return false;
        }
        if (!parse_role(w3, true, &role)) {
            snprintf(error->text, sizeof(error->text),
                     "unknown role \"%.64s\" (client, forwarder or refused)", w3);
            return false;
        }
        if (w4 != NULL) {
            snprintf(error->text, sizeof(error->text), "unexpected \"%.64s\" after the role", w4);
            return false;
        }
        *status = policy_add(p, uid, role);
        return true;
    }
    if (strcmp(w1, "default") == 0) {
        if (w2 == NULL) {
            snprintf(error->text, sizeof(error->text), "\"default\" takes client or refused");
            return false;
        }
        if (!parse_role(w2, false, &role)) {
            snprintf(error->text, sizeof(error->text),
                     "\"default\" takes client or refused, not \"%.64s\"", w2);
            return false;
        }
        if (w3 != NULL) {
            snprintf(error->text, sizeof(error->text), "unexpected \"%.64s\" after the role", w3);
            return false;
        }
        p->default_role = role;
        return true;
    }
    snprintf(error->text, sizeof(error->text),
             "unknown rule \"%.64s\" (lines start with \"uid\" or \"default\")", w1);
    return false;
}

psa_status_t daemon_policy_read_explained(FILE *f, daemon_policy_t **out,
                                          daemon_policy_error_t *error)
{
    error->line = 0;
    error->text[0] = '\0';
    daemon_policy_t *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    pthread_rwlock_init(&p->lock, NULL);
    p->default_role = DAEMON_ROLE_CLIENT;
    char line[512];
    unsigned number = 0;
    psa_status_t status = PSA_SUCCESS;
    while (f != NULL && status == PSA_SUCCESS && fgets(line, sizeof(line), f) != NULL) {
        number++;
        if (!parse_line(p, line, error, &status)) {
            error->line = number;
            status = PSA_ERROR_INVALID_ARGUMENT;
        }
    }
    if (status != PSA_SUCCESS) {
        daemon_policy_free(p);
        return status;
    }
    *out = p;
    return PSA_SUCCESS;
}

void daemon_policy_free(daemon_policy_t *policy)
{
    if (policy != NULL) {
        pthread_rwlock_destroy(&policy->lock);
        free(policy->rules);
        free(policy);
    }
}

static daemon_role_t role_locked(const daemon_policy_t *policy, uid_t uid)
{
    for (size_t i = 0; i < policy->count; i++) {
        if (policy->rules[i].uid == uid) {
            return policy->rules[i].role;
        }
    }
    return policy->default_role;
}

daemon_role_t daemon_policy_role(const daemon_policy_t *policy, uid_t uid)
{
    /* The lock is the one mutable part of a policy shared as const. */
    pthread_rwlock_t *lock = (pthread_rwlock_t *)&policy->lock;
    pthread_rwlock_rdlock(lock);
    daemon_role_t role = role_locked(policy, uid);
    pthread_rwlock_unlock(lock);
    return role;
}

void daemon_policy_replace(daemon_policy_t *live, daemon_policy_t *fresh)
{
    pthread_rwlock_wrlock(&live->lock);
    daemon_policy_t old = *live;
    live->default_role = fresh->default_role;
    live->count = fresh->count;
    live->rules = fresh->rules;
    pthread_rwlock_unlock(&live->lock);
    fresh->default_role = old.default_role;
    fresh->count = old.count;
    fresh->rules = old.rules;
}

static void diff_one_way(const daemon_policy_t *named, const daemon_policy_t *before,
                         const daemon_policy_t *after, bool skip_named_by_before,
                         daemon_policy_change_fn changed, void *ctx)
{
    for (size_t i = 0; i < named->count; i++) {
        uid_t uid = named->rules[i].uid;
        if (skip_named_by_before) {
            bool in_before = false;
            for (size_t j = 0; j < before->count && !in_before; j++) {
                in_before = before->rules[j].uid == uid;
            }
            if (in_before) {
                continue; /* already reported from before's side */
            }
        }
        daemon_role_t a = role_locked(before, uid), b = role_locked(after, uid);
        if (a != b) {
            changed(uid, a, b, ctx);
        }
    }
}

void daemon_policy_diff(const daemon_policy_t *before, const daemon_policy_t *after,
                        daemon_policy_change_fn changed, void *ctx, bool *default_changed)
{
    pthread_rwlock_t *lb = (pthread_rwlock_t *)&before->lock;
    pthread_rwlock_t *la = (pthread_rwlock_t *)&after->lock;
    pthread_rwlock_rdlock(lb);
    if (la != lb) {
        pthread_rwlock_rdlock(la);
    }
    diff_one_way(before, before, after, false, changed, ctx);
    diff_one_way(after, before, after, true, changed, ctx);
    *default_changed = before->default_role != after->default_role;
    if (la != lb) {
        pthread_rwlock_unlock(la);
    }
    pthread_rwlock_unlock(lb);
}

bool daemon_client_id_for_uid(uid_t uid, int32_t *client_id)
{
    if ((uint64_t)uid > (uint64_t)INT32_MAX - DAEMON_CLIENT_ID_UID_BASE) {
        return false;
    }
    *client_id = -(int32_t)(DAEMON_CLIENT_ID_UID_BASE + (int32_t)uid);
    return true;
}

bool daemon_client_id_assertable(int32_t client_id)
{
    return client_id < 0;
}

bool daemon_process_start_time(pid_t pid, uint64_t *start_time)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return false;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may contain spaces and parentheses: start after the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL) {
        return false;
    }
    p++;
    /* Fields 3..22: skip 19 fields to reach starttime. */
    for (int field = 3; field < 22; field++) {
        while (*p == ' ') {
            p++;
        }
        while (*p != ' ' && *p != '\0') {
            p++;
        }
    }
    char *end = NULL;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p) {
        return false;
    }
    *start_time = v;
    return true;
}

bool daemon_pidfd_is(int pidfd, pid_t pid)
{
    char path[64], line[128];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return false;
    }
    bool same = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        int v = 0;
        if (sscanf(line, "Pid: %d", &v) == 1) {
            same = v == (int)pid; /* -1 once the process has exited */
            break;
        }
    }
    fclose(f);
    return same;
}
