/*
 * notify.h: tell systemd that dracd is ready (sd_notify's protocol).
 *
 * notify_ready sends "READY=1" to $NOTIFY_SOCKET, once dracd answers
 * calls (registered with rpcbind, signals handled).  Without
 * $NOTIFY_SOCKET it does nothing; a failure is logged, never fatal.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

void	notify_ready(void);

#endif
