/* The one storage dispatcher: a storage record on the ITS or PS engine, for one owner. */
#ifndef STORAGE_STORAGE_DISPATCH_H
#define STORAGE_STORAGE_DISPATCH_H

#include "comms/storage_calls.h"
#include "storage/its_store.h"
#include "storage/ps_store.h"

/*
 * Runs the record (comms/storage_calls.h) for `owner` on `its` or `ps`, as its service says;
 * rssd's ITS and PS services and libpsa-local both run their records through it. ITS 1.0 has no
 * create, set_extended or support query: NOT_SUPPORTED. RSS_PS_GET_SUPPORT (TF-M's query)
 * reports 0, as TF-M does: its client returns NOT_SUPPORTED for psa_ps_create and
 * psa_ps_set_extended without sending anything, so the flags must describe what it can do.
 * RSS_PS_GET_SUPPORT_RSSD reports what the engine really supports.
 */
psa_status_t storage_dispatch(its_store_t *its, ps_store_t *ps, int32_t owner, storage_args_t *a);

#endif /* STORAGE_STORAGE_DISPATCH_H */
