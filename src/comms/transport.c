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
