/* Dispatch through a transport's function table, so callers never name a concrete transport. */
#include "transport.h"

psa_status_t rss_transport_send(rss_transport_t *t, const uint8_t *msg, size_t length, int fd)
{
    return t->ops->send(t->ctx, msg, length, fd);
}

psa_status_t rss_transport_recv(rss_transport_t *t, uint8_t *buf, size_t size, size_t *length)
{
    return t->ops->recv(t->ctx, buf, size, length);
}

void rss_transport_close(rss_transport_t *t)
{
    if (t->ops != NULL) {
        t->ops->close(t->ctx);
    }
    t->ops = NULL;
    t->ctx = NULL;
}

ssize_t rss_transport_recv_message(rss_transport_t *t, uint8_t *buf, size_t size, int *handle)
{
    return t->ops->recv_message(t->ctx, buf, size, handle);
}

int rss_transport_poll_handle(const rss_transport_t *t)
{
    return t->ops->poll_handle(t->ctx);
}

bool rss_transport_shutdown(const rss_transport_t *t)
{
    return t->ops->shutdown(t->ctx);
}

bool rss_transport_peer(const rss_transport_t *t, bool with_pidfd, rss_peer_t *out)
{
    return t->ops->peer(t->ctx, with_pidfd, out);
}

psa_status_t rss_transport_shm_create(const rss_transport_t *t, size_t size, rss_shm_t *out)
{
    return t->ops->shm_create(size, out);
}

psa_status_t rss_transport_shm_map_peer(const rss_transport_t *t, int handle, uint64_t size,
                                        rss_shm_t *out)
{
    return t->ops->shm_map_peer(handle, size, out);
}

int rss_listener_accept(const rss_listener_t *l, rss_transport_t *out)
{
    return l->ops->accept(l->ctx, out);
}

int rss_listener_poll_handle(const rss_listener_t *l)
{
    return l->ops->poll_handle(l->ctx);
}

void rss_listener_close(rss_listener_t *l)
{
    if (l->ops != NULL) {
        l->ops->close(l->ctx);
    }
    l->ops = NULL;
    l->ctx = NULL;
}
